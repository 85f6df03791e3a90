import { FixedDelayTimers, ScheduledTimer } from '../core/fixed-delay-timers';
import type { DedupStore } from './store';

/** Why a renewal did not extend the claim: the store said it is lost, or the store failed. */
export type RenewalFailure = { lost: true } | { lost: false; cause: unknown };

/**
 * The renewals of one route's claims: its store and lock TTL, and one timer
 * list for all of them (they share a period), made once per route.
 */
export class ClaimRenewals {
  /** The handler's own work keeps the process alive; its renewals must not. */
  readonly timers: FixedDelayTimers;

  constructor(
    readonly store: DedupStore,
    readonly lockTtlMs: number,
  ) {
    this.timers = new FixedDelayTimers(lockTtlMs / 3, { repeat: true, keepsAlive: false });
  }

  /** Renews this claim until stopped. */
  start(key: string, token: string, onFailure: (failure: RenewalFailure) => void): ClaimRenewal {
    return new ClaimRenewal(this, key, token, onFailure);
  }
}

/**
 * Keeps one claim's lock alive while its handler runs: every lockTtlMs/3 it
 * asks the store to extend the lock, so a handler slower than `lockTtlMs`
 * never sees a retry claim the key and run alongside it. Without this the
 * lock is a fixed TTL, and whatever outlives it runs twice.
 *
 * A lost claim (`renew` answered false) stops the renewals: nothing can win
 * it back. A store failure does not: the lock may still be ours, and the next
 * renewal may reach the store. `onFailure` hears of the first failure only.
 */
export class ClaimRenewal extends ScheduledTimer {
  private pending = false;
  private stopped = false;
  private failed = false;

  constructor(
    private readonly renewals: ClaimRenewals,
    private readonly key: string,
    private readonly token: string,
    private readonly onFailure: (failure: RenewalFailure) => void,
  ) {
    super();
    // The renewal is its own timer: no callback and no timer object of its own per claim.
    renewals.timers.schedule(this);
  }

  /** The run settled or was given up: no more renewals, and an answer still on its way is ignored. */
  stop(): void {
    this.stopped = true;
    this.renewals.timers.cancel(this);
  }

  /** Renews, every lockTtlMs/3. */
  onDue(): void {
    // A renewal still waiting for the store: the next one would only queue behind it.
    if (this.pending) return;
    this.pending = true;
    let renewal: Promise<boolean>;
    const { store, lockTtlMs } = this.renewals;
    try {
      renewal = store.renew(this.key, lockTtlMs, this.token);
    } catch (cause) {
      renewal = Promise.reject(cause);
    }
    renewal.then(
      (held) => {
        this.pending = false;
        if (held === true || this.stopped) return;
        this.stop();
        this.fail({ lost: true });
      },
      (cause: unknown) => {
        this.pending = false;
        if (!this.stopped) this.fail({ lost: false, cause });
      },
    );
  }

  private fail(failure: RenewalFailure): void {
    if (this.failed) return;
    this.failed = true;
    this.onFailure(failure);
  }
}
