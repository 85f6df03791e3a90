import { timerMs } from './timer-ms';

/**
 * One timer of a FixedDelayTimers list: `start(callback)` makes one, or a
 * class that is itself the timer (a run's deadline, a claim's renewal)
 * extends this and is passed to `schedule()`, which spares a callback and a
 * second object per notification. Cancel it with that list's cancel().
 */
export abstract class ScheduledTimer {
  /** performance.now() at which it is due. */
  due = 0;
  /** In a list, waiting to fire: false once it has fired (one-shot) or been cancelled. */
  scheduled = false;
  prev: ScheduledTimer | undefined = undefined;
  next: ScheduledTimer | undefined = undefined;

  /** What happens when it falls due. */
  abstract onDue(): void;
}

class CallbackTimer extends ScheduledTimer {
  constructor(private readonly callback: () => void) {
    super();
  }

  onDue(): void {
    this.callback();
  }
}

export interface FixedDelayTimersOptions {
  /** Fire every delayMs until cancelled, as setInterval does (default: once, as setTimeout). */
  repeat?: boolean;
  /** Whether a pending timer keeps the process alive, as a ref'd Node timer does (default true). */
  keepsAlive?: boolean;
}

/**
 * Many timers of one delay on a single Node timer. A route under load sets
 * two timers per notification (the handler's deadline, the claim's renewal)
 * and clears nearly all of them a few milliseconds later; with setTimeout
 * each costs a Timeout object and several calls into Node's timer binding,
 * which measured as a tenth of a node:http notification's whole CPU time.
 *
 * Timers of one delay fall due in the order they were started, so a list in
 * that order always has the next one due at its head. Starting one appends
 * it; cancelling unlinks it (nothing cancelled is kept); the one Node timer
 * is armed for the head. An emptied list's timer is left to fire once more,
 * unref'd, and is then not armed again: an idle route holds no timer, and
 * never keeps the process alive.
 */
export class FixedDelayTimers {
  readonly delayMs: number;
  private readonly repeat: boolean;
  private readonly keepsAlive: boolean;
  private head: ScheduledTimer | undefined;
  private tail: ScheduledTimer | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(delayMs: number, options: FixedDelayTimersOptions = {}) {
    // As Node's own timers: under 1 ms is 1 ms; capped where Node would fire a longer delay at once (an absurd lockTtlMs must not renew every millisecond).
    this.delayMs = Math.max(1, timerMs(delayMs));
    this.repeat = options.repeat === true;
    this.keepsAlive = options.keepsAlive !== false;
  }

  /** Calls `callback` once delayMs have passed (every delayMs with `repeat`), unless cancelled first. */
  start(callback: () => void): ScheduledTimer {
    const scheduled = new CallbackTimer(callback);
    this.schedule(scheduled);
    return scheduled;
  }

  /** Calls `scheduled.onDue()` once delayMs have passed (every delayMs with `repeat`), unless cancelled first; one already waiting is left as it is. */
  schedule(scheduled: ScheduledTimer): void {
    if (scheduled.scheduled) return;
    const now = performance.now();
    scheduled.due = now + this.delayMs;
    scheduled.scheduled = true;
    this.append(scheduled);
    // Started from a callback while the list fires, it may not be the head: arm for whichever is.
    if (this.timer === undefined) this.armForHead(now);
    // The list was empty and its timer left armed (see cancel): it is due no later than this one, and keeps the process alive again.
    else if (this.keepsAlive && this.head === scheduled) this.timer.ref();
  }

  /** No call from now on; a timer already fired or cancelled is left as it is. */
  cancel(scheduled: ScheduledTimer): void {
    if (!scheduled.scheduled) return;
    scheduled.scheduled = false;
    this.unlink(scheduled);
    // Emptied: the Node timer is left armed but no longer keeps the process alive, and when it fires on an empty list it is
    // not armed again. Under load a list empties between nearly every two notifications: clearing the timer there, only to
    // set a new one at the next notification, cost more than all the rest of the list.
    if (this.head === undefined && this.keepsAlive && this.timer !== undefined) this.timer.unref();
  }

  /** Whether the list holds a Node timer that keeps the process alive: only while a timer waits, and only with keepsAlive. */
  get keepsProcessAlive(): boolean {
    return this.timer !== undefined && this.timer.hasRef();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = performance.now();
    try {
      // Node may fire a little before performance.now() reaches `due` (its loop clock is read at the turn's start): what is not due yet waits for the next arm.
      while (this.head !== undefined && this.head.due <= now) {
        const due = this.head;
        this.unlink(due);
        if (this.repeat) {
          // Appended before the call, so that the callback may cancel it; timed from now, so the list stays in order of due.
          due.due = performance.now() + this.delayMs;
          this.append(due);
        } else {
          due.scheduled = false;
        }
        due.onDue();
      }
    } finally {
      // Even if a callback threw (an uncaught exception, as from any timer): the rest stay scheduled.
      if (this.timer === undefined) this.armForHead(performance.now());
    }
  };

  private armForHead(now: number): void {
    if (this.head === undefined) return;
    // Capped: rounding up a delay of MAX_TIMER_MS would overflow Node's timers, which then fire at once.
    this.timer = setTimeout(this.fire, timerMs(Math.max(1, Math.ceil(this.head.due - now))));
    if (!this.keepsAlive) this.timer.unref();
  }

  private append(scheduled: ScheduledTimer): void {
    scheduled.prev = this.tail;
    scheduled.next = undefined;
    if (this.tail === undefined) this.head = scheduled;
    else this.tail.next = scheduled;
    this.tail = scheduled;
  }

  private unlink(scheduled: ScheduledTimer): void {
    const { prev, next } = scheduled;
    if (prev === undefined) this.head = next;
    else prev.next = next;
    if (next === undefined) this.tail = prev;
    else next.prev = prev;
    scheduled.prev = undefined;
    scheduled.next = undefined;
  }
}
