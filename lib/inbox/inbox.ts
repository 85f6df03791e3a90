import type { WebhookError } from '../core/errors';
import type { AnyWebhookEvent, HandlerContext } from '../core/event';

/**
 * What the pipeline needs from an inbox (option `inbox`): somewhere to put a
 * verified notification durably before the provider is acked, and a way to
 * have it delivered to the middleware's handler later.
 */
export interface Inbox {
  /**
   * Called once by each middleware at startup. One inbox serves several
   * middlewares, one per provider: deliveries are routed by `event.provider`.
   */
  register(consumer: InboxConsumer): void;
  /**
   * Resolves only once the notification is durably stored. A key already in
   * the inbox (a provider's retry) is not stored twice: 'duplicate'.
   */
  put(key: string, event: AnyWebhookEvent): Promise<'stored' | 'duplicate'>;
  /**
   * Whether deliveries can run in a transaction of the inbox's database that
   * also marks them delivered (`transactional: true`; PostgresInbox).
   */
  readonly transactionalDeliveries?: boolean;
  /** Stops delivering, waits for running deliveries' outcomes, closes the storage. */
  close(): Promise<void>;
}

/** One middleware's side of the inbox: how to run its work for a stored event. */
export interface InboxConsumer {
  provider: string;
  /** The middleware's `handlerTimeoutMs`: `ctx.signal` aborts then; the lease is still held (and renewed) while the handler runs. */
  handlerTimeoutMs: number;
  /**
   * The middleware's `hardTimeoutMs`: a handler that has still not settled is
   * given up. The attempt counts as failed (retried per the retry policy), its
   * slot is freed and its lease let go; its late outcome is still observed (a
   * late success marks the entry done unless it already is, a late failure is
   * reported).
   */
  hardTimeoutMs: number;
  /**
   * The middleware's `transactional: true`: each delivery runs in the
   * storage's transaction (`ctx.db`), committed together with its done
   * marker; a throw or handlerTimeoutMs rolls both back (a failed attempt).
   */
  transactional?: boolean;
  /** `confirm` (if any) then `onEvent`; `ctx.req` is undefined (HandlerContext<never>): there is no live request. */
  run(event: AnyWebhookEvent, ctx: HandlerContext<never>): Promise<unknown>;
  /** The middleware's `onError` (no request: the provider was answered long ago). May return its promise: a rejection is ignored. */
  report(error: WebhookError): unknown;
}

/** Where an entry is: waiting for (another) attempt, handled, or given up on. */
export type InboxState = 'pending' | 'done' | 'dead';

/** One stored notification, as `list`/`show` and the CLI see it. */
export interface InboxEntry {
  /** `provider:eventId`, the same key as the dedup store's. */
  key: string;
  provider: string;
  state: InboxState;
  /** Delivery attempts started so far. */
  attempts: number;
  storedAt: Date;
  /** When a pending entry is next due. */
  nextAttemptAt: Date | undefined;
  /** When it became done or dead. */
  finishedAt: Date | undefined;
  /** The last failure's code and message; a handler's failure carries its error's message (never its stack). */
  lastError: string | undefined;
  /** The event as the handler receives it. */
  event: AnyWebhookEvent;
}

/**
 * How one delivery attempt ended: `running` (its lease still holds, or no
 * other worker has looked since), `delivered`, `failed` (the handler threw,
 * timed out, or the entry could not be run), `expired` (its lease ran out
 * without an outcome: the process was killed or lost its storage; found so
 * when the entry was leased again), `abandoned` (the entry was finished by an
 * earlier run's late success while this one ran: its outcome is not recorded).
 */
export type InboxAttemptOutcome = 'running' | 'delivered' | 'failed' | 'expired' | 'abandoned';

/** One line of an entry's history (`inbox.history(key)`), oldest first. */
export type InboxHistoryRecord =
  | {
      type: 'attempt';
      /** Counted from 1 after the entry was stored, and again after each replay. */
      attempt: number;
      /** When it was leased. */
      startedAt: Date;
      /** When its outcome was recorded (or, for `expired`, found missing). */
      finishedAt: Date | undefined;
      outcome: InboxAttemptOutcome;
      /** A failure's code and one-line message, as in `lastError`. */
      error: string | undefined;
    }
  | { type: 'replay'; at: Date };

/** What `onInboxEvent` is told: for logs and metrics. */
export type InboxReport =
  | { type: 'stored'; provider: string; key: string }
  | { type: 'delivered'; provider: string; key: string; attempt: number }
  | { type: 'retry'; provider: string; key: string; attempt: number; nextAttemptAt: Date; error: WebhookError }
  | { type: 'dead'; provider: string; key: string; attempt: number; error: WebhookError }
  /** The storage failed while delivering (reported once per outage, not per poll). */
  | { type: 'unavailable'; error: WebhookError };

/** How many entries one provider has in one state (`counts()`). */
export interface InboxCount {
  provider: string;
  state: InboxState;
  count: number;
}

export interface InboxListOptions {
  /** Default: pending and dead. */
  state?: InboxState | 'all';
  provider?: string;
  /** Default 100. */
  limit?: number;
}

export interface InboxPurgeOptions {
  /** Which entries to delete. Dead letters go only when asked for by name. Default 'done'. */
  state?: 'done' | 'dead';
  /** Only entries finished before this date. Default: all of that state. */
  finishedBefore?: Date;
}
