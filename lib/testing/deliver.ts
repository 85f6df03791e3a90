import { sendNotification, type Notification } from './notification';
import type { Answer, ProviderSide } from './provider-sides';
import { MAX_TIMER_MS, sleep } from './sleep';

export interface Attempt {
  /** 1-based. */
  attempt: number;
  at: Date;
  /** The answer, or undefined when the request itself failed (refused, reset, timed out). */
  answer: Answer | undefined;
  error: string | undefined;
  acknowledged: boolean;
}

export interface DeliveryOptions {
  url: string;
  notification: Pick<Notification, 'headers' | 'body'>;
  side: ProviderSide;
  /** Divide every delay by this (100 → Pay247's 243 s wait takes 2.43 s). Default 1. */
  speed?: number;
  /** Stop after this many attempts, schedule or not. */
  attempts?: number;
  /** Per-request timeout. Default 10 s (what providers typically allow). */
  requestTimeoutMs?: number;
  onAttempt?: (attempt: Attempt, nextDelayMs: number | undefined) => void;
  signal?: AbortSignal;
  /** For tests: how to wait. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface DeliveryReport {
  acknowledged: boolean;
  attempts: Attempt[];
}

/**
 * Sends one notification the way its provider does: POST, judge the answer by
 * the provider's rule, and retry on its schedule until acknowledged or out of
 * attempts.
 */
export async function deliverLikeProvider(options: DeliveryOptions): Promise<DeliveryReport> {
  const speed = options.speed ?? 1;
  if (!(speed > 0 && Number.isFinite(speed))) throw new RangeError('speed must be a positive finite number');
  if (options.attempts !== undefined && !(Number.isSafeInteger(options.attempts) && options.attempts >= 1)) throw new RangeError('attempts must be a positive integer');
  const timeout = options.requestTimeoutMs;
  // AbortSignal.timeout takes a Node timer: past MAX_TIMER_MS it would fire at once.
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout >= 1 && timeout <= MAX_TIMER_MS)) throw new RangeError(`requestTimeoutMs must be a number of milliseconds from 1 to ${MAX_TIMER_MS}`);
  const maxAttempts = attemptLimit(options.side, options.attempts);
  const wait = options.sleep ?? sleep;
  const attempts: Attempt[] = [];
  for (let n = 1; n <= maxAttempts; n++) {
    const attempt = await postOnce(options, n);
    attempts.push(attempt);
    const nextDelay = attempt.acknowledged || n === maxAttempts ? undefined : options.side.retryDelaysMs[n - 1] / speed;
    options.onAttempt?.(attempt, nextDelay);
    if (attempt.acknowledged) return { acknowledged: true, attempts };
    if (nextDelay !== undefined) await wait(nextDelay, options.signal);
  }
  return { acknowledged: false, attempts };
}

/** How many attempts a delivery makes at most: the side's schedule (retries + 1), capped by `attempts` when given. */
export function attemptLimit(side: Pick<ProviderSide, 'retryDelaysMs'>, attempts?: number): number {
  return Math.min(attempts ?? Infinity, side.retryDelaysMs.length + 1);
}

async function postOnce(options: DeliveryOptions, attempt: number): Promise<Attempt> {
  const at = new Date();
  const timeout = AbortSignal.timeout(options.requestTimeoutMs ?? 10_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const answer = await sendNotification(options.url, options.notification, { signal });
    return { attempt, at, answer, error: undefined, acknowledged: options.side.isAcknowledged(answer) };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { attempt, at, answer: undefined, error: describe(error), acknowledged: false };
  }
}

function describe(error: unknown): string {
  // fetch says only "fetch failed"; the reason is in its cause (a code such as ECONNREFUSED, or a message such as "bad port").
  const cause = (error as { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } }).cause;
  const code = cause?.code ?? cause?.errors?.find((inner) => inner?.code)?.code;
  if (code) return code;
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'timed out';
  return cause?.message ? `${error.message}: ${cause.message}` : error.message;
}
