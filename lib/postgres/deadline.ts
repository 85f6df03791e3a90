/**
 * `work`, or a rejection with `late()` once `ms` have passed. A value that
 * arrives after the deadline goes to `discard` (a client checked out too late
 * must still go back to its pool).
 */
export function withDeadline<T>(work: Promise<T>, ms: number, late: () => Error, discard?: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(late());
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        if (timedOut) discard?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
