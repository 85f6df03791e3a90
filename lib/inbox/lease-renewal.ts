import type { InboxStorage, LeasedEntry } from './storage';
import { timerMs } from '../core/timer-ms';

/**
 * Keeps one delivery's lease: renews it every third of its length while the
 * handler runs. A renewal that finds the lease gone (another worker took the
 * entry over) or that fails (the storage cannot confirm it is still held)
 * stops renewing and calls `onLost` once: the run is then no longer this
 * worker's to finish.
 */
export class LeaseRenewal {
  private readonly timer: NodeJS.Timeout;
  private renewing = false;
  private stopped = false;
  /** Whether a renewal found the lease lost (or could not renew it). */
  lost = false;

  constructor(
    private readonly storage: InboxStorage,
    private readonly entry: LeasedEntry,
    private readonly settings: { leaseMs: number; now: () => number },
    private readonly onLost: (cause: unknown) => void,
  ) {
    this.timer = setInterval(() => void this.renew(), timerMs(settings.leaseMs / 3));
    // An app's server keeps the process alive; a lease must not.
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private async renew(): Promise<void> {
    // A renewal still waiting for the storage: the next one would only queue behind it.
    if (this.renewing) return;
    this.renewing = true;
    let held = false;
    let cause: unknown;
    try {
      held = await this.storage.renew(this.entry, this.settings.now(), this.settings.leaseMs);
    } catch (error) {
      cause = error;
    } finally {
      this.renewing = false;
    }
    // Stopped meanwhile: the run settled, and its outcome write checks the lease itself.
    if (held || this.stopped) return;
    this.stop();
    this.lost = true;
    this.onLost(cause);
  }
}
