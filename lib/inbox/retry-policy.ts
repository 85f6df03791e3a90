import { DAY_MS, positiveMs } from '../core/durations';

/** How the inbox retries a delivery whose handler failed. */
export interface RetryOptions {
  /** Attempts in all, the first included; after the last, the entry is dead. Default 20. */
  maxAttempts?: number;
  /** No attempt starts later than this after the notification was stored (or last replayed); then it is dead. Default 3 days. */
  maxAgeMs?: number;
  /** The delay before the second attempt; it doubles with each failure. Default 1000. */
  baseDelayMs?: number;
  /** The delay never grows past this. Default 1 hour. */
  maxDelayMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

/** What to do after a failed attempt. */
export type RetryDecision = { dead: false; nextAttemptAt: number } | { dead: true };

export function resolveRetryPolicy(where: string, options: RetryOptions = {}): RetryPolicy {
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: retry must be an object.`);
  const maxAttempts = options.maxAttempts ?? 20;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new TypeError(`${where}: retry.maxAttempts must be an integer of at least 1.`);
  const policy = {
    maxAttempts,
    maxAgeMs: positiveMs(where, 'retry.maxAgeMs', options.maxAgeMs, 3 * DAY_MS),
    baseDelayMs: positiveMs(where, 'retry.baseDelayMs', options.baseDelayMs, 1000),
    maxDelayMs: positiveMs(where, 'retry.maxDelayMs', options.maxDelayMs, 60 * 60 * 1000),
  };
  if (policy.maxDelayMs < policy.baseDelayMs) throw new TypeError(`${where}: retry.maxDelayMs must not be below retry.baseDelayMs.`);
  return policy;
}

/**
 * Exponential backoff with "equal jitter": half the capped delay is fixed,
 * half random, so retries of many notifications that failed together (one
 * outage) spread out, yet none comes back almost at once.
 */
export function decideRetry(policy: RetryPolicy, attempt: number, budgetFrom: number, now: number, random: () => number): RetryDecision {
  if (attempt >= policy.maxAttempts) return { dead: true };
  const capped = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 52));
  const delay = capped / 2 + (capped / 2) * random();
  const nextAttemptAt = Math.ceil(now + delay);
  if (nextAttemptAt - budgetFrom > policy.maxAgeMs) return { dead: true };
  return { dead: false, nextAttemptAt };
}
