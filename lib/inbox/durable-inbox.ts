import type { AnyWebhookEvent } from '../core/event';
import { resolveLogger, writeLine, type WebhookLogger } from '../core/log';
import { oneLine } from '../core/one-line';
import type { OptionNames } from '../core/option-names';
import { DeliveryWorker } from './delivery-worker';
import type { Inbox, InboxConsumer, InboxCount, InboxEntry, InboxHistoryRecord, InboxReport, InboxListOptions, InboxPurgeOptions } from './inbox';
import { DAY_MS, positiveMs } from '../core/durations';
import { resolveRetryPolicy, type RetryOptions } from './retry-policy';
import { notifyObserver } from './observer';
import { observeInbox, watchProvider } from '../telemetry/inbox-gauge';
import { activeTraceparent } from '../telemetry/otel-api';
import { serializeEvent } from './serialize';
import { runsDeliveriesInTransaction, type InboxStorage } from './storage';

/** Options every inbox takes. */
export interface InboxOptions {
  /** Attempts, backoff and max age of deliveries. */
  retry?: RetryOptions;
  /** How long a worker holds an entry without renewing; a crashed worker's entries come back after this. Default 30000. */
  leaseMs?: number;
  /** How often to look for due retries and entries stored by other processes. Default 1000. */
  pollIntervalMs?: number;
  /**
   * Handlers running at once, all providers together. Default 8. A slot is
   * free again when its handler settles; up to as many more deliveries may be
   * waiting for their outcome to be written.
   */
  concurrency?: number;
  /** How long handled entries are kept (a provider's late retry is still recognised). Default 3 days. */
  keepDoneMs?: number;
  /** Stored, delivered, retry scheduled, dead-lettered, storage unavailable: for logs and metrics. May be async; a throw or rejection is ignored. */
  onInboxEvent?(report: InboxReport): unknown;
  /**
   * Where a notification moved to the dead letters is logged (one `error`
   * line). Handler failures are logged by the middleware's own `logger`.
   * `false` logs nothing. Default: `console`.
   */
  logger?: WebhookLogger | false;
  /** The clock, in ms: for tests only (leases, retries and ages are measured with it; Redis measures its leases itself). Default Date.now. */
  now?: () => number;
  /** In [0, 1): the backoff's jitter; tests inject one. */
  random?: () => number;
}

/** Every InboxOptions name: each inbox adds its own (path, url, …) to check the options it is given. */
export const INBOX_OPTION_NAMES: OptionNames<InboxOptions> = {
  retry: true,
  leaseMs: true,
  pollIntervalMs: true,
  concurrency: true,
  keepDoneMs: true,
  onInboxEvent: true,
  logger: true,
  now: true,
  random: true,
};

/**
 * The inbox a middleware's `inbox` option takes, over any storage: puts,
 * the delivery worker, and the admin operations the CLI uses.
 */
export class DurableInbox implements Inbox {
  readonly transactionalDeliveries: boolean;
  private readonly worker: DeliveryWorker;
  private readonly now: () => number;
  private readonly onInboxEvent: InboxOptions['onInboxEvent'];
  private readonly logger: WebhookLogger | undefined;
  private closing: Promise<void> | undefined;
  private readonly unobserve: () => void;

  protected constructor(
    private readonly where: string,
    private readonly storage: InboxStorage,
    options: InboxOptions,
  ) {
    for (const name of ['onInboxEvent', 'now', 'random'] as const) {
      if (options[name] !== undefined && typeof options[name] !== 'function') throw new TypeError(`${where}: ${name} must be a function.`);
    }
    const concurrency = options.concurrency ?? 8;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError(`${where}: concurrency must be an integer of at least 1.`);
    this.now = options.now ?? Date.now;
    this.transactionalDeliveries = runsDeliveriesInTransaction(storage);
    this.onInboxEvent = options.onInboxEvent;
    this.logger = resolveLogger(where, options.logger);
    this.worker = new DeliveryWorker(storage, {
      policy: resolveRetryPolicy(where, options.retry),
      leaseMs: positiveMs(where, 'leaseMs', options.leaseMs, 30_000),
      pollIntervalMs: positiveMs(where, 'pollIntervalMs', options.pollIntervalMs, 1000),
      concurrency,
      keepDoneMs: positiveMs(where, 'keepDoneMs', options.keepDoneMs, 3 * DAY_MS),
      now: this.now,
      random: options.random ?? Math.random,
      emit: (report) => this.emit(report),
    });
    this.unobserve = observeInbox(this);
  }

  register(consumer: InboxConsumer): void {
    this.worker.add(consumer);
  }

  async put(key: string, event: AnyWebhookEvent): Promise<'stored' | 'duplicate'> {
    if (this.closing !== undefined) throw new Error(`${this.where}: the inbox is closed.`);
    const serialized = serializeEvent(event, activeTraceparent());
    const now = this.now();
    // Stored leased to this process's worker when a slot is free (it runs it at once), else stored to wait its turn.
    const leased = await this.worker.putLeased(key, event, serialized, now);
    const result = leased ?? (await this.storage.put(key, event.provider, serialized, now));
    if (result === 'stored') {
      this.emit({ type: 'stored', provider: event.provider, key });
      // After the ack is written: leasing is a write too, and the provider should not wait for it.
      if (leased === undefined) setImmediate(() => this.worker.wake());
    }
    return result;
  }

  /** Pending and dead entries by default, oldest first. */
  list(options: InboxListOptions = {}): Promise<InboxEntry[]> {
    return this.storage.list(options);
  }

  /** One entry by its key (`provider:eventId`). */
  get(key: string): Promise<InboxEntry | undefined> {
    return this.storage.get(key);
  }

  /**
   * One entry's last attempts and replays, oldest first (at most 20: the
   * newest are kept); empty once the entry is purged or unknown.
   */
  history(key: string): Promise<InboxHistoryRecord[]> {
    return this.storage.history(key);
  }

  /** How many entries each provider has in each state (no zero counts), for an overview. */
  counts(): Promise<InboxCount[]> {
    return this.storage.counts();
  }

  /**
   * Makes dead (or pending) entries due now with a fresh attempt budget (the
   * attempts and the max age count from the replay), after the cause was
   * fixed; 'dead' replays every dead letter. Done entries are never replayed.
   * A running app's worker delivers them at its next poll.
   */
  async replay(keys: readonly string[] | 'dead'): Promise<string[]> {
    const replayed = await this.storage.replay(keys, this.now());
    this.worker.wake(true);
    return replayed;
  }

  /** Deletes done entries (default) or, only when asked, dead letters. */
  async purge(options: InboxPurgeOptions = {}): Promise<number> {
    if (options.state !== undefined && options.state !== 'done' && options.state !== 'dead') {
      throw new TypeError(`${this.where}: purge deletes 'done' or 'dead' entries, never pending ones.`);
    }
    const before = options.finishedBefore;
    // An invalid Date has no time: as "no bound" it would delete every entry of the state.
    if (before !== undefined && !(before instanceof Date && Number.isFinite(before.getTime()))) {
      throw new TypeError(`${this.where}: finishedBefore must be a valid Date.`);
    }
    return this.storage.purge(options);
  }

  /** Stops the worker (waiting for running deliveries up to their deadline) and closes the storage. */
  close(): Promise<void> {
    this.unobserve();
    this.closing ??= this.worker.stop().then(() => this.storage.close());
    return this.closing;
  }

  private emit(report: InboxReport): void {
    watchProvider();
    if (report.type === 'dead') this.logDeadLetter(report);
    notifyObserver(this.onInboxEvent, report);
  }

  /** The one inbox event nobody else logs: the inbox has given up, and only a replay delivers it now. */
  private logDeadLetter(report: Extract<InboxReport, { type: 'dead' }>): void {
    writeLine(
      this.logger,
      'error',
      `${this.where}: ${oneLine(report.key, 200)} moved to the dead letters after ${report.attempt} attempt(s): ${report.error.code}: ${oneLine(report.error.message, 500)} ` +
        `Once the cause is fixed: npx express-payment-webhooks inbox replay '${oneLine(report.key, 200)}' with --db <file> or --redis <url>.`,
    );
  }
}
