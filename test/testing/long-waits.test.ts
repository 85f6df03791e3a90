/**
 * The simulator's waits and numbers: a delay past a Node timer's limit
 * (2^31-1 ms, about 24.8 days) must wait that long, not fire after 1 ms
 * (fake timers overflow exactly as Node does); and numbers that cannot mean
 * anything are refused before the first request.
 */
import { deliverLikeProvider, PROVIDER_SIDES } from '../../lib/testing';
import { MAX_TIMER_MS, sleep } from '../../lib/testing/sleep';

const DAY = 86_400_000;

describe('sleep', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  /** Whether the promise has settled, once pending callbacks ran. */
  async function settled(promise: Promise<unknown>): Promise<boolean> {
    let done = false;
    void promise.then(() => (done = true), () => (done = true));
    await jest.advanceTimersByTimeAsync(0);
    return done;
  }

  test.each([
    ['just past the timer limit', MAX_TIMER_MS + 1],
    ['30 days', 30 * DAY],
    ['833 hours (a 3 s retry at speed 0.000001)', 833 * 3_600_000],
    ['125 days (a 3 h retry at speed 0.001)', 125 * DAY],
  ])('%s: not a moment early, and then done', async (_name, ms) => {
    const waiting = sleep(ms);
    await jest.advanceTimersByTimeAsync(1);
    expect(await settled(waiting)).toBe(false);
    await jest.advanceTimersByTimeAsync(ms - 2);
    expect(await settled(waiting)).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await settled(waiting)).toBe(true);
  });

  test('an abort ends a long wait, with the signal reason', async () => {
    const controller = new AbortController();
    const waiting = sleep(40 * DAY, controller.signal);
    await jest.advanceTimersByTimeAsync(MAX_TIMER_MS + 10);
    controller.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
    expect(jest.getTimerCount()).toBe(0);
  });

  test('an already aborted signal rejects at once, and no timer is left', async () => {
    await expect(sleep(10, AbortSignal.abort(new Error('before')))).rejects.toThrow('before');
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('deliverLikeProvider refuses numbers that mean nothing, before any request', () => {
  const base = { url: 'http://127.0.0.1:1/', notification: { headers: {}, body: '' }, side: PROVIDER_SIDES.pay247 };
  test.each([
    ['speed 0', { speed: 0 }, /speed/],
    ['speed NaN', { speed: NaN }, /speed/],
    ['speed Infinity', { speed: Infinity }, /speed/],
    ['attempts 0', { attempts: 0 }, /attempts/],
    ['attempts 1.5', { attempts: 1.5 }, /attempts/],
    ['requestTimeoutMs 0', { requestTimeoutMs: 0 }, /requestTimeoutMs/],
    ['requestTimeoutMs 0.5', { requestTimeoutMs: 0.5 }, /requestTimeoutMs/],
    ['requestTimeoutMs past the timer limit (it would time out at once)', { requestTimeoutMs: MAX_TIMER_MS + 1 }, /requestTimeoutMs/],
  ])('%s', async (_name, options, message) => {
    await expect(deliverLikeProvider({ ...base, ...options })).rejects.toThrow(message);
  });
});
