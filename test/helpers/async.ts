/** Small async helpers the tests share. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Polls until `check` holds. Gives up (failing the test) before jest's own
 * timeout would, so a failure never leaves a poll running behind the test.
 */
export async function until(check: () => boolean | Promise<boolean>, everyMs = 5, giveUpMs = 15_000): Promise<void> {
  const giveUpAt = Date.now() + giveUpMs;
  while (!(await check())) {
    if (Date.now() > giveUpAt) throw new Error(`until: ${check.toString().slice(0, 120)} still false after ${giveUpMs} ms`);
    await sleep(everyMs);
  }
}
