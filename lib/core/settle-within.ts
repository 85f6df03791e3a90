import { timerMs } from './timer-ms';

/**
 * `work`, or `late()` as a rejection once `ms` pass first (the work itself
 * may still finish: callers only use this where that is harmless). The timer
 * is cleared as soon as the work settles.
 */
export function settleWithin<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(late()), timerMs(Math.max(0, ms)));
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
