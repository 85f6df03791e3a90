/**
 * Calls an observer of the merchant's (`onInboxEvent`, `onError`): it may be
 * async, and neither its throw nor its rejected promise may change what is
 * stored or delivered, or reach the process as an unhandled rejection.
 */
export function notifyObserver<A extends unknown[]>(observer: ((...args: A) => unknown) | undefined, ...args: A): void {
  if (observer === undefined) return;
  try {
    const result = observer(...args);
    if (result !== null && typeof (result as PromiseLike<unknown>)?.then === 'function') {
      (result as PromiseLike<unknown>).then(undefined, () => undefined);
    }
  } catch {
    // Swallowed: see above.
  }
}
