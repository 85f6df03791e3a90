import { WebhookError } from '../core/errors';
import type { AnyWebhookEvent } from '../core/event';
import { FixedDelayTimers } from '../core/fixed-delay-timers';
import { TransactionRunContext } from '../core/run-exclusive';
import { RunContext, runWithDeadline, type HandlerOutcome } from '../core/run-handler';
import type { InboxConsumer, InboxReport } from './inbox';
import { LeaseRenewal } from './lease-renewal';
import { notifyObserver } from './observer';
import { decideRetry, type RetryPolicy } from './retry-policy';
import { traceDelivery, type DeliveryTrace } from '../telemetry/notification-trace';
import { reviveEvent, storedTraceparent } from './serialize';
import { timerMs } from '../core/timer-ms';
import { runsDeliveriesInTransaction, type InboxStorage, type LeasedEntry } from './storage';

export interface WorkerSettings {
  policy: RetryPolicy;
  leaseMs: number;
  pollIntervalMs: number;
  concurrency: number;
  keepDoneMs: number;
  now: () => number;
  random: () => number;
  emit: (report: InboxReport) => void;
}

/** Done entries are pruned at most this often: it is housekeeping, not delivery. */
const PRUNE_EVERY_MS = 60_000;

/**
 * Takes due entries from the storage and runs them through their
 * middleware's handler, one lease per entry. Wakes on every put (so a
 * notification is usually delivered at once) and polls for the rest:
 * retries that came due, entries other processes stored, and entries whose
 * worker died (their lease ran out).
 */
export class DeliveryWorker {
  private readonly consumers = new Map<string, InboxConsumer>();
  /** Deliveries whose handler has not settled yet: they hold a slot and a lease. */
  private readonly running = new Set<Promise<void>>();
  /** What close() waits for: outcomes recorded, or handlers past their deadline. */
  private readonly closable = new Set<Promise<void>>();
  private readonly renewals = new Set<LeaseRenewal>();
  /** Each consumer's handler deadlines, on one timer list (see FixedDelayTimers). */
  private readonly deadlines = new Map<string, FixedDelayTimers>();
  /** Slots held for entries not running yet (being stored and leased at once, or having an old lease renewed first): counted as running. */
  private reserved = 0;
  /** Outcome writes (complete, retry, bury) not yet answered by the storage. */
  private recording = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private wakeAgain = false;
  private stopped = false;
  private storageDown = false;
  private lastPrune = Number.NEGATIVE_INFINITY;
  /** When a round last swept (see InboxStorage.lease): under steady puts the poll timer never fires, so rounds sweep by age. */
  private lastSweep = Number.NEGATIVE_INFINITY;
  private sweepAsked = false;

  constructor(
    private readonly storage: InboxStorage,
    private readonly settings: WorkerSettings,
  ) {}

  add(consumer: InboxConsumer): void {
    if (this.stopped) throw new TypeError(`express-payment-webhooks (${consumer.provider}): this inbox is closed.`);
    if (this.consumers.has(consumer.provider)) {
      throw new TypeError(
        `express-payment-webhooks (${consumer.provider}): this inbox already delivers ${consumer.provider} notifications to another middleware; give the second one an inbox of its own.`,
      );
    }
    const { handlerTimeoutMs, hardTimeoutMs } = consumer;
    if (!(handlerTimeoutMs > 0) || !Number.isFinite(handlerTimeoutMs) || !Number.isFinite(hardTimeoutMs) || !(hardTimeoutMs >= handlerTimeoutMs)) {
      throw new TypeError(`express-payment-webhooks (${consumer.provider}): the inbox consumer needs handlerTimeoutMs > 0 and a finite hardTimeoutMs >= handlerTimeoutMs.`);
    }
    if (consumer.transactional === true && !runsDeliveriesInTransaction(this.storage)) {
      throw new TypeError(`express-payment-webhooks (${consumer.provider}): transactional: true needs an inbox that delivers in a transaction of its database (a PostgresInbox).`);
    }
    this.consumers.set(consumer.provider, consumer);
    this.deadlines.set(consumer.provider, new FixedDelayTimers(handlerTimeoutMs));
    this.wake();
  }

  private deadlinesOf(consumer: InboxConsumer): FixedDelayTimers {
    return this.deadlines.get(consumer.provider) as FixedDelayTimers;
  }

  /**
   * Look for due entries now (after a put, a replay, or a delivery freed a
   * slot). `sweep`: look for due retries and run-out leases too, whatever
   * the time since the last sweep (a replay made entries due).
   */
  wake(sweep = false): void {
    if (this.stopped || this.consumers.size === 0) return;
    if (sweep) this.sweepAsked = true;
    if (this.ticking !== undefined) {
      this.wakeAgain = true;
      return;
    }
    clearTimeout(this.timer);
    this.ticking = this.tick().finally(() => {
      this.ticking = undefined;
      if (this.stopped) return;
      this.timer = setTimeout(() => this.wake(), timerMs(this.settings.pollIntervalMs));
      // An app's server keeps the process alive; a forgotten inbox must not.
      this.timer.unref();
    });
  }

  /**
   * When a delivery slot is free, stores the entry already leased to this
   * worker, in the same write (InboxStorage.putLeased), and runs it once the
   * caller has had its answer (the ack is written first), with the event as
   * it was put: no lease round, nothing read back. Resolves undefined, having
   * stored nothing, when no slot is free (the caller stores it unleased: it
   * waits its turn on disk, not in memory), for a provider not delivered
   * here, for a transactional consumer (its run needs the storage's own
   * transaction), or for a storage without putLeased. Stopped before the run:
   * it is not run here; its lease runs out and it is delivered then, like the
   * entry of a process stopped mid-attempt.
   */
  async putLeased(key: string, event: AnyWebhookEvent, serialized: string, now: number): Promise<'stored' | 'duplicate' | undefined> {
    const consumer = this.consumers.get(event.provider);
    if (this.storage.putLeased === undefined || this.stopped || consumer === undefined || consumer.transactional === true || this.freeSlots() <= 0) return undefined;
    this.reserved++;
    let leased;
    try {
      leased = await this.storage.putLeased(key, event.provider, serialized, now, this.settings.leaseMs);
    } catch (error) {
      this.reserved--;
      throw error;
    }
    if (leased === 'duplicate') {
      this.reserved--;
      return leased;
    }
    setImmediate(() => {
      this.reserved--;
      if (!this.stopped) this.start(leased, now, event);
    });
    return 'stored';
  }

  /** Stops leasing; waits for running deliveries up to their deadline. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    await Promise.all(this.closable);
    // Handlers still running past their deadline keep running, but their
    // leases are no longer renewed: another worker takes them over later.
    for (const renewal of this.renewals) renewal.stop();
    this.renewals.clear();
  }

  private async tick(): Promise<void> {
    try {
      do {
        this.wakeAgain = false;
        await this.prune();
        let free = this.freeSlots();
        while (free > 0 && !this.stopped) {
          const now = this.settings.now();
          const sweep = this.sweepAsked || now - this.lastSweep >= this.settings.pollIntervalMs;
          if (sweep) {
            this.sweepAsked = false;
            this.lastSweep = now;
          }
          const entries = await this.storage.lease([...this.consumers.keys()], free, now, this.settings.leaseMs, sweep);
          this.storageDown = false;
          for (const entry of entries) this.start(entry, now);
          if (entries.length < free) break;
          free = this.freeSlots();
        }
      } while (this.wakeAgain && !this.stopped);
    } catch (cause) {
      this.reportOutage(cause);
    }
  }

  /**
   * A handler may start while fewer than `concurrency` run, and while fewer
   * than twice that are running or waiting for their outcome to be written
   * (a slow storage stops new runs instead of piling up unrecorded ones).
   */
  private freeSlots(): number {
    const { concurrency } = this.settings;
    const busy = this.running.size + this.reserved;
    return Math.min(concurrency - busy, 2 * concurrency - busy - this.recording);
  }

  /** An outcome write in flight: counted by freeSlots until answered; the worker wakes then only if these writes were what held it back. */
  private track(recorded: Promise<unknown>): void {
    this.recording++;
    void recorded.finally(() => {
      const heldBack = this.freeSlots() <= 0 && this.running.size + this.reserved < this.settings.concurrency;
      this.recording--;
      if (heldBack) this.wake();
    });
  }

  private async prune(): Promise<void> {
    const now = this.settings.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    await this.storage.prune(now - this.settings.keepDoneMs);
  }

  /**
   * Starts the attempt of an entry leased at `leasedAt` (the time its lease
   * was counted from). `event`: the entry's event as it was put, when this
   * process stored it (no need to read it back).
   *
   * Renewals come every third of the lease from the start. A lease whose
   * write waited longer than that (a thread still starting, a slow disk, a
   * stalled Redis) might run out before the first one, and another worker
   * take the entry while this one runs it: such a lease is renewed first, and
   * the attempt runs only if it still held (if not, the other worker runs it).
   */
  private start(entry: LeasedEntry, leasedAt: number, event?: AnyWebhookEvent): void {
    const consumer = this.consumers.get(entry.provider);
    // lease() only returns entries of registered providers.
    if (consumer === undefined) return;
    if (this.settings.now() - leasedAt < this.settings.leaseMs / 3) return this.begin(entry, consumer, event);
    this.reserved++;
    void this.storage
      .renew(entry, this.settings.now(), this.settings.leaseMs)
      .catch(() => false)
      .then((held) => {
        this.reserved--;
        // Not renewed: it comes back when the lease runs out (counted as an attempt), unless another worker has it already.
        if (held && !this.stopped) this.begin(entry, consumer, event);
        else this.wake();
      });
  }

  private begin(entry: LeasedEntry, consumer: InboxConsumer, event: AnyWebhookEvent | undefined): void {
    const delivery = this.deliver(entry, consumer, event);
    const running = delivery.slot.finally(() => {
      this.running.delete(running);
      this.wake();
    });
    this.running.add(running);
    const closable = delivery.closable.finally(() => this.closable.delete(closable));
    this.closable.add(closable);
  }

  /**
   * One attempt. `slot` resolves when the handler settles (its outcome is
   * then written, counted by `track`), or at the consumer's hardTimeoutMs when
   * it has not, once that failure is recorded (the attempt then counts as
   * failed and the lease is let go, so a retry may run; the handler's late
   * outcome is still observed). `closable` is what close() waits for.
   */
  private deliver(entry: LeasedEntry, consumer: InboxConsumer, put?: AnyWebhookEvent): { slot: Promise<void>; closable: Promise<void> } {
    let event;
    try {
      event = put ?? reviveEvent(entry.event);
    } catch (cause) {
      return this.buryUnrun(entry, consumer, new WebhookError('HANDLER_FAILED', 'The stored event could not be read back; it was moved to the dead letters.', { cause }));
    }
    if (entry.attempt > this.settings.policy.maxAttempts) {
      // The process stopped during the last attempt (a crash, or a handler that kills it): not run again.
      return this.buryUnrun(
        entry,
        consumer,
        new WebhookError('HANDLER_FAILED', 'The process stopped during the last delivery attempt; moved to the dead letters.', { eventId: event.id }),
      );
    }
    const deliverable = event;
    if (consumer.transactional === true) return this.deliverInTransaction(entry, consumer, deliverable);
    const details = { provider: consumer.provider, eventId: deliverable.id };
    // No live request behind an inbox delivery: ctx.req is undefined.
    const ctx = new RunContext(undefined);
    const renewal = new LeaseRenewal(this.storage, entry, this.settings, (cause) => {
      const error = new WebhookError(
        'INBOX_UNAVAILABLE',
        'The lease on this delivery was lost (another worker may take it over): ctx.signal was aborted, and this run records no outcome over another lease.',
        { ...details, cause },
      );
      RunContext.abort(ctx, error);
      this.reportTo(consumer, error);
    });
    this.renewals.add(renewal);
    const stopRenewing = () => {
      renewal.stop();
      this.renewals.delete(renewal);
    };

    const trace = traceDelivery(consumer.provider, { key: entry.key, eventType: deliverable.type, attempt: entry.attempt, traceparent: storedTraceparent(entry.event) });
    const run = runWithDeadline(() => trace.run(() => consumer.run(deliverable, ctx)), ctx, this.deadlinesOf(consumer));
    let timedOut = false;
    const answered = run.answer.then((answer) => {
      if (!answer.timedOut || answer.ok) return;
      timedOut = true;
      this.reportTo(consumer, tag(answer.error, consumer.provider, deliverable.id));
    });

    // Until hardTimeoutMs the lease is held (and renewed) until the handler
    // really settles, so no other worker runs it alongside a handler that
    // overran handlerTimeoutMs. After it, the attempt is given up.
    let givenUp: Promise<void> | undefined;
    let freeSlot!: () => void;
    const slot = new Promise<void>((resolve) => (freeSlot = resolve));
    const hardTimer = setTimeout(() => {
      stopRenewing();
      // close() no longer waits for this run, and the storage may be closed: another worker takes it over once the lease runs out.
      if (this.stopped) return freeSlot();
      const error = new WebhookError(
        'HANDLER_TIMEOUT',
        `onEvent has not settled within hardTimeoutMs (${consumer.hardTimeoutMs} ms): the attempt counts as failed and its lease is let go, so it may be retried.`,
        details,
      );
      RunContext.abort(ctx, error);
      givenUp = this.recordFailure(entry, consumer, error, { reported: false, dead: false, leaseLost: renewal.lost, trace });
      void givenUp.finally(freeSlot);
    }, timerMs(consumer.hardTimeoutMs));
    hardTimer.unref();

    const settled = run.settled.then(async (outcome: HandlerOutcome) => {
      await answered;
      clearTimeout(hardTimer);
      stopRenewing();
      if (this.stopped && timedOut) return; // close() no longer waits: the storage may be closed.
      if (givenUp !== undefined) {
        await givenUp;
        await this.recordLate(entry, consumer, outcome, deliverable.id);
        return;
      }
      const recorded = outcome.ok
        ? this.recordSuccess(entry, consumer, renewal.lost, trace)
        : this.recordFailure(entry, consumer, tag(outcome.error, consumer.provider, deliverable.id), { reported: timedOut, dead: false, leaseLost: renewal.lost, trace });
      // The handler is done: its slot goes to the next entry while the outcome is written (this one
      // stays leased until then, so nothing runs it again meanwhile); writes in flight are bounded apart.
      this.track(recorded);
      freeSlot();
      await recorded;
    });
    void settled.finally(() => {
      if (givenUp === undefined) freeSlot();
    });
    const closable = answered.then(() => (timedOut ? undefined : settled));
    return { slot, closable };
  }

  /**
   * One attempt of a `transactional` consumer: the handler runs in the
   * storage's transaction (`ctx.db`), and the done marker is written in it.
   * At handlerTimeoutMs the transaction is rolled back and the attempt counts
   * as failed at once: nothing the handler still does through `ctx.db` can
   * commit, so there is no late outcome to wait for (hardTimeoutMs does not apply).
   */
  private deliverInTransaction(entry: LeasedEntry, consumer: InboxConsumer, event: AnyWebhookEvent): { slot: Promise<void>; closable: Promise<void> } {
    const runDelivery = this.storage.runDelivery!.bind(this.storage);
    let ctx: TransactionRunContext<never> | undefined;
    const renewal = new LeaseRenewal(this.storage, entry, this.settings, (cause) => {
      const error = new WebhookError(
        'INBOX_UNAVAILABLE',
        'The lease on this delivery was lost (another worker may take it over): ctx.signal was aborted, and this run will not commit.',
        { provider: consumer.provider, eventId: event.id, cause },
      );
      if (ctx !== undefined) RunContext.abort(ctx, error);
      this.reportTo(consumer, error);
    });
    this.renewals.add(renewal);
    const stopRenewing = () => {
      renewal.stop();
      this.renewals.delete(renewal);
    };
    let failure: WebhookError | undefined;
    const recorded = (async () => {
      let committed: boolean;
      try {
        committed = await runDelivery(
          entry,
          async (db) => {
            const context = (ctx = new TransactionRunContext<never>(undefined as never, db));
            const answer = await runWithDeadline(() => consumer.run(event, context), context, this.deadlinesOf(consumer)).answer;
            // Before the done marker: a renewal would wait on the row it locks, then find it done and call the lease lost.
            stopRenewing();
            if (answer.ok) return;
            failure = tag(answer.error, consumer.provider, event.id);
            throw failure;
          },
          this.settings.now,
        );
      } catch (cause) {
        stopRenewing();
        if (failure !== undefined) return this.recordFailure(entry, consumer, failure, { reported: false, dead: false, leaseLost: renewal.lost });
        // Rolled back, or a cut-off COMMIT went through: either way the lease running out brings the entry back, and a done one is not leased.
        this.reportTo(
          consumer,
          new WebhookError('INBOX_UNAVAILABLE', 'The inbox failed during a transactional delivery; the notification will be delivered again unless it committed.', {
            cause,
            provider: consumer.provider,
            eventId: event.id,
          }),
        );
        return;
      }
      if (committed) this.settings.emit({ type: 'delivered', provider: entry.provider, key: entry.key, attempt: entry.attempt });
      else if (!renewal.lost) {
        this.reportTo(
          consumer,
          new WebhookError('INBOX_UNAVAILABLE', 'The lease on this delivery was lost before it committed; it was rolled back and will be delivered again.', {
            provider: consumer.provider,
            eventId: event.id,
          }),
        );
      }
    })();
    return { slot: recorded, closable: recorded };
  }

  /** An entry that is not run at all: reported, then dead-lettered. */
  private buryUnrun(entry: LeasedEntry, consumer: InboxConsumer, error: WebhookError): { slot: Promise<void>; closable: Promise<void> } {
    const recorded = this.recordFailure(entry, consumer, error, { reported: false, dead: true, leaseLost: false });
    return { slot: recorded, closable: recorded };
  }

  /** Recorded only while the lease holds: once another worker took the entry over, its run's outcome is the one recorded. */
  private async recordSuccess(entry: LeasedEntry, consumer: InboxConsumer, leaseLost: boolean, trace: DeliveryTrace): Promise<void> {
    trace.end('delivered', undefined);
    const recorded = await this.write(consumer, entry, () => this.storage.complete(entry, this.settings.now()), { lostIsExpected: leaseLost });
    if (recorded) this.settings.emit({ type: 'delivered', provider: entry.provider, key: entry.key, attempt: entry.attempt });
  }

  /**
   * The outcome of a run given up at hardTimeoutMs, whose failure is recorded
   * already. A late success marks the entry done (unless a retry succeeded
   * first: then nothing is recorded twice); a late failure is only reported.
   */
  private async recordLate(entry: LeasedEntry, consumer: InboxConsumer, outcome: HandlerOutcome, eventId: string): Promise<void> {
    if (!outcome.ok) {
      this.reportTo(consumer, tag(outcome.error, consumer.provider, eventId));
      return;
    }
    if (await this.write(consumer, entry, () => this.storage.completeLate(entry, this.settings.now()), { lostIsExpected: true })) {
      this.settings.emit({ type: 'delivered', provider: entry.provider, key: entry.key, attempt: entry.attempt });
    }
  }

  private async recordFailure(
    entry: LeasedEntry,
    consumer: InboxConsumer,
    error: WebhookError,
    how: { reported: boolean; dead: boolean; leaseLost: boolean; trace?: DeliveryTrace },
  ): Promise<void> {
    if (!how.reported) this.reportTo(consumer, error);
    const summary = `${error.code}: ${error.message}`;
    const now = this.settings.now();
    const decision = how.dead ? ({ dead: true } as const) : decideRetry(this.settings.policy, entry.attempt, entry.budgetFrom, now, this.settings.random);
    how.trace?.end(decision.dead ? 'dead' : 'retry', error.code);
    // A lease already reported lost: the write is refused, and saying so again would say nothing new.
    const options = { lostIsExpected: how.leaseLost };
    if (decision.dead) {
      if (await this.write(consumer, entry, () => this.storage.bury(entry, now, summary), options)) {
        this.settings.emit({ type: 'dead', provider: entry.provider, key: entry.key, attempt: entry.attempt, error });
      }
      return;
    }
    if (await this.write(consumer, entry, () => this.storage.retry(entry, decision.nextAttemptAt, summary, now), options)) {
      this.settings.emit({ type: 'retry', provider: entry.provider, key: entry.key, attempt: entry.attempt, nextAttemptAt: new Date(decision.nextAttemptAt), error });
    }
  }

  /** Records an outcome; a failure to do so is reported, and the lease expiring brings the entry back. */
  private async write(consumer: InboxConsumer, entry: LeasedEntry, step: () => Promise<boolean>, options: { lostIsExpected?: boolean } = {}): Promise<boolean> {
    let held: boolean;
    try {
      held = await step();
    } catch (cause) {
      this.reportTo(
        consumer,
        new WebhookError('INBOX_UNAVAILABLE', 'The inbox could not record a delivery outcome; the notification will be delivered again.', { cause, provider: entry.provider }),
      );
      return false;
    }
    if (!held && options.lostIsExpected !== true) {
      this.reportTo(
        consumer,
        new WebhookError('INBOX_UNAVAILABLE', 'The lease on this delivery was lost before its outcome was recorded; it may be delivered again.', { provider: entry.provider }),
      );
    }
    return held;
  }

  private reportOutage(cause: unknown): void {
    if (this.storageDown) return;
    this.storageDown = true;
    const outage = () => new WebhookError('INBOX_UNAVAILABLE', 'The inbox storage failed while looking for deliveries; retrying at the next poll.', { cause });
    this.settings.emit({ type: 'unavailable', error: outage() });
    for (const consumer of this.consumers.values()) this.reportTo(consumer, outage());
  }

  private reportTo(consumer: InboxConsumer, error: WebhookError): void {
    notifyObserver((reported: WebhookError) => consumer.report(reported), error);
  }
}

function tag(error: WebhookError, provider: string, eventId: string): WebhookError {
  error.provider ??= provider;
  error.eventId ??= eventId;
  return error;
}
