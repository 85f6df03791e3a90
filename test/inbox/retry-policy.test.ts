import { decideRetry, resolveRetryPolicy } from '../../lib/inbox/retry-policy';

const where = 'test';

describe('inbox retry policy', () => {
  const policy = resolveRetryPolicy(where, { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 8000, maxAgeMs: 1_000_000 });

  test('exponential: the delay doubles per failed attempt, up to maxDelayMs', () => {
    // random() = 1: the top of the jitter range is the full capped delay.
    const delays = [1, 2, 3, 4, 5, 6].map((attempt) => {
      const decision = decideRetry(policy, attempt, 0, 0, () => 1);
      return decision.dead ? undefined : decision.nextAttemptAt;
    });
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  });

  test('jitter: between half and all of the capped delay', () => {
    const low = decideRetry(policy, 3, 0, 0, () => 0);
    const mid = decideRetry(policy, 3, 0, 0, () => 0.5);
    expect(low).toEqual({ dead: false, nextAttemptAt: 2000 });
    expect(mid).toEqual({ dead: false, nextAttemptAt: 3000 });
  });

  test('dead after maxAttempts attempts', () => {
    expect(decideRetry(policy, 9, 0, 0, () => 0).dead).toBe(false);
    expect(decideRetry(policy, 10, 0, 0, () => 0).dead).toBe(true);
  });

  test('dead when the next attempt would start after maxAgeMs', () => {
    const aged = resolveRetryPolicy(where, { maxAgeMs: 10_000, baseDelayMs: 1000 });
    expect(decideRetry(aged, 1, 0, 8_999, () => 1)).toEqual({ dead: false, nextAttemptAt: 9_999 });
    expect(decideRetry(aged, 1, 0, 9_001, () => 1).dead).toBe(true);
  });

  test('with the defaults, the shortest possible retry span is hours: far past any provider budget (Pay247 ~6 min, SGATE ~25 s)', () => {
    const defaults = resolveRetryPolicy(where);
    let now = 0;
    let attempts = 1;
    for (let decision = decideRetry(defaults, attempts, 0, now, () => 0); !decision.dead; decision = decideRetry(defaults, ++attempts, 0, now, () => 0)) {
      now = decision.nextAttemptAt;
    }
    expect(attempts).toBe(20);
    expect(now).toBeGreaterThan(4 * 3_600_000);
  });

  test('defaults and validation', () => {
    expect(resolveRetryPolicy(where)).toEqual({ maxAttempts: 20, baseDelayMs: 1000, maxDelayMs: 3_600_000, maxAgeMs: 3 * 86_400_000 });
    expect(() => resolveRetryPolicy(where, { maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => resolveRetryPolicy(where, { baseDelayMs: -1 })).toThrow(/baseDelayMs/);
    expect(() => resolveRetryPolicy(where, { baseDelayMs: 10, maxDelayMs: 5 })).toThrow(/maxDelayMs/);
  });
});
