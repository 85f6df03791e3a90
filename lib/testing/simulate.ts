import { deliverLikeProvider, type Attempt, type DeliveryOptions, type DeliveryReport } from './deliver';
import type { ProviderSide } from './provider-sides';
import { SimulatorUsageError } from './simulated-notification';

export interface SimulationOptions extends Omit<DeliveryOptions, 'onAttempt'> {
  /** Send the same notification this many times, each delivery after the previous one ended. Default 1. */
  duplicate?: number;
  /** Send this many copies of it at the same moment. Default 1. Not together with `duplicate`. */
  concurrent?: number;
  /** Called after every attempt of every copy (`copy` is 1-based). */
  onAttempt?: (copy: number, attempt: Attempt, nextDelayMs: number | undefined) => void;
}

export interface SimulationReport {
  /** Every copy was acknowledged. */
  acknowledged: boolean;
  /** One per copy, in copy order. */
  deliveries: DeliveryReport[];
}

/**
 * Delivers one notification like its provider, once or as repeated copies:
 * `duplicate` re-sends it after each delivery ends (a provider that notifies
 * twice), `concurrent` sends the copies at once (two of its workers racing).
 * Each copy is a full delivery: judged, and retried on the schedule.
 */
export async function simulateProvider(options: SimulationOptions): Promise<SimulationReport> {
  const { duplicate, concurrent, onAttempt, ...delivery } = options;
  if (duplicate !== undefined && concurrent !== undefined) throw new SimulatorUsageError('concurrent', 'give duplicate or concurrent, not both');
  const copies = duplicate ?? concurrent ?? 1;
  if (!Number.isInteger(copies) || copies < 1) throw new SimulatorUsageError(duplicate !== undefined ? 'duplicate' : 'concurrent', 'must be a positive integer');
  const deliver = (copy: number) => deliverLikeProvider({ ...delivery, onAttempt: onAttempt && ((attempt, next) => onAttempt(copy, attempt, next)) });

  const deliveries: DeliveryReport[] = [];
  if (concurrent !== undefined) {
    deliveries.push(...(await Promise.all(Array.from({ length: copies }, (_, i) => deliver(i + 1)))));
  } else {
    for (let copy = 1; copy <= copies; copy++) deliveries.push(await deliver(copy));
  }
  return { acknowledged: deliveries.every((report) => report.acknowledged), deliveries };
}

/**
 * The provider's side with the retry delays set by the merchant, for the
 * providers where they are a merchant setting (card-issuing, crypto
 * gateway). A documented schedule cannot be changed: cap it with `attempts`.
 */
export function withRetrySchedule(side: ProviderSide, retryDelaysMs: readonly number[]): ProviderSide {
  if (side.scheduleSource === 'documented') {
    throw new SimulatorUsageError('schedule', `cannot change ${side.provider}'s retry schedule: it is documented (cap the number of attempts instead)`);
  }
  if (retryDelaysMs.some((ms) => !(ms >= 0) || !Number.isFinite(ms))) throw new SimulatorUsageError('schedule', 'delays must be finite and not negative');
  return { ...side, retryDelaysMs: [...retryDelaysMs] };
}

/** An answer in a few characters: `200 "SUCCESS"`, `503 "fail"`, or the connection error (`ECONNREFUSED`). */
export function describeAnswer(attempt: Pick<Attempt, 'answer' | 'error'>, maxBody = 60): string {
  if (attempt.answer === undefined) return attempt.error ?? 'no answer';
  const body = attempt.answer.body;
  const shown = body.length > maxBody ? `${body.slice(0, maxBody)}…` : body;
  return `${attempt.answer.status} ${JSON.stringify(shown)}`;
}

export interface DeliverySummary {
  copies: number;
  acknowledged: number;
  /** The answers each copy got first, grouped, in order of appearance. */
  firstAnswers: Array<{ answer: string; count: number }>;
  /** Attempts each copy took. */
  attempts: number[];
}

/** What happened to several copies of one notification, e.g. to see the receiver's dedup at work. */
export function summarizeDeliveries(deliveries: readonly DeliveryReport[]): DeliverySummary {
  const firstAnswers = new Map<string, number>();
  for (const report of deliveries) {
    const first = report.attempts[0];
    if (first === undefined) continue;
    const answer = describeAnswer(first);
    firstAnswers.set(answer, (firstAnswers.get(answer) ?? 0) + 1);
  }
  return {
    copies: deliveries.length,
    acknowledged: deliveries.filter((report) => report.acknowledged).length,
    firstAnswers: [...firstAnswers].map(([answer, count]) => ({ answer, count })),
    attempts: deliveries.map((report) => report.attempts.length),
  };
}
