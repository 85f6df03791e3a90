import type { AnyWebhookEvent, InboxOptions, InboxReport } from '../../lib';
import type { AnyInbox } from '../inbox/backends';

/** An event as a middleware would store it. */
export function event(provider: string, id: string, type = 'payout.succeeded', data: unknown = { amount: '100.0000' }): AnyWebhookEvent {
  return { provider, id, type, data, signedFields: [], receivedAt: new Date('2026-11-30T10:00:00.000Z') };
}

export const keyOf = (e: AnyWebhookEvent) => `${e.provider}:${e.id}`;

export interface SeedPlan {
  /** Fail `deadAfter` times (default once, retried at once) and are given up on. */
  dead?: AnyWebhookEvent[];
  deadAfter?: number;
  /** The failing handler's error message (default 'the handler failed'). */
  failWith?: (key: string) => string;
  /** Fail once and wait an hour for their next attempt. */
  retrying?: AnyWebhookEvent[];
  /** Delivered. */
  done?: AnyWebhookEvent[];
  /** Of a provider no consumer is registered for: stored, never attempted. */
  pending?: AnyWebhookEvent[];
  /** The inboxes' clock (default: the real one); `tick` runs after each put, to spread their times. */
  now?: () => number;
  tick?: () => void;
}

export interface Seeded {
  /** The inbox left open, delivering for every provider of the plan but the pending ones. */
  inbox: AnyInbox;
  /** Keys whose delivery fails; the rest succeed. */
  failing: Set<string>;
  delivered: string[];
  /** Resolves once a report of this type for this key comes. */
  reported(type: InboxReport['type'], key: string): Promise<void>;
}

/** Longer than any tick: a clock moved on by a test never expires a running attempt's lease. */
const LEASE_MS = 24 * 3_600_000;

function reportsWaiter() {
  const reports: InboxReport[] = [];
  const waiters: Array<() => void> = [];
  const seen = (type: InboxReport['type'], key: string) => reports.some((r) => r.type === type && 'key' in r && r.key === key);
  return {
    onInboxEvent(report: InboxReport) {
      reports.push(report);
      for (const wake of waiters.splice(0)) wake();
    },
    async reported(type: InboxReport['type'], key: string): Promise<void> {
      while (!seen(type, key)) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

/**
 * Puts the plan's entries into a fresh place and drives each to its state
 * through the real delivery worker: dead letters by an inbox that gives up
 * after one attempt (closed afterwards), the rest by the inbox it returns.
 */
export async function seedInbox(open: (options?: InboxOptions) => AnyInbox, plan: SeedPlan): Promise<Seeded> {
  const { dead = [], retrying = [], done = [], pending = [], now = Date.now, tick = () => undefined, deadAfter = 1, failWith = () => 'the handler failed' } = plan;
  const failing = new Set([...dead, ...retrying].map(keyOf));
  const delivered: string[] = [];
  const providers = [...new Set([...dead, ...retrying, ...done].map((e) => e.provider))];
  const register = (inbox: AnyInbox) => {
    for (const provider of providers) {
      inbox.register({
        provider,
        handlerTimeoutMs: 5000,
        hardTimeoutMs: 60_000,
        run: async (e) => {
          if (failing.has(keyOf(e))) throw new Error(failWith(keyOf(e)));
          delivered.push(keyOf(e));
        },
        report: () => undefined,
      });
    }
  };

  const burying = reportsWaiter();
  const buryingInbox = open({ retry: { maxAttempts: deadAfter, baseDelayMs: 1, maxDelayMs: 1 }, onInboxEvent: burying.onInboxEvent, now, leaseMs: LEASE_MS });
  register(buryingInbox);
  for (const e of dead) {
    await buryingInbox.put(keyOf(e), e);
    tick();
  }
  for (const e of dead) await burying.reported('dead', keyOf(e));
  await buryingInbox.close();

  const waiter = reportsWaiter();
  const inbox = open({ retry: { maxAttempts: 5, baseDelayMs: 3_600_000, maxDelayMs: 3_600_000 }, onInboxEvent: waiter.onInboxEvent, now, leaseMs: LEASE_MS });
  register(inbox);
  for (const e of [...retrying, ...done, ...pending]) {
    await inbox.put(keyOf(e), e);
    tick();
  }
  for (const e of retrying) await waiter.reported('retry', keyOf(e));
  for (const e of done) await waiter.reported('delivered', keyOf(e));
  return { inbox, failing, delivered, reported: waiter.reported };
}
