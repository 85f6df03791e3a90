import { describeCause, WebhookError } from './errors';
import type { HandlerContext } from './event';
import { ScheduledTimer, type FixedDelayTimers } from './fixed-delay-timers';

export type HandlerOutcome = { ok: true } | { ok: false; error: WebhookError };

export interface TimedRun {
  /** The outcome the provider is answered with: the work's, or a timeout. */
  answer: Promise<HandlerOutcome & { timedOut: boolean }>;
  /** The work's own outcome, whenever it settles (after a timeout, too). */
  settled: Promise<HandlerOutcome>;
  /**
   * The work's outcome, or, if it has not settled by `hardTimeoutMs`, a
   * HANDLER_ABANDONED failure (`abandoned: true`); the context's `req` is
   * dropped then. `settled` still reports what the work does after that.
   */
  bounded: Promise<HandlerOutcome & { abandoned: boolean }>;
}

/**
 * The `ctx` handed to the merchant's work: `req`, and `signal`, which is made
 * on first read. Most handlers never look at it, and an AbortController costs
 * more than all the rest of a run's bookkeeping. A signal first read after the
 * deadline is already aborted. (A getter on the prototype: an own getter on
 * each ctx costs as much as the AbortController it saves.)
 */
export class RunContext<Req> implements HandlerContext<Req> {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;

  constructor(readonly req: Req | undefined) {}

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Static, so that the merchant's `ctx` has no `abort` of its own to call. */
  static abort(context: RunContext<unknown>, reason: unknown): void {
    if (context.#aborted) return;
    context.#aborted = true;
    context.#reason = reason;
    context.#controller?.abort(reason);
  }

  /**
   * The run was given up: the context no longer holds the request, so a
   * handler that never settles does not keep it (and all it refers to) alive.
   */
  static detach(context: RunContext<unknown>): void {
    (context as { req: unknown }).req = undefined;
  }
}

const OK: HandlerOutcome = Object.freeze({ ok: true });
const OK_IN_TIME: HandlerOutcome & { timedOut: boolean } = Object.freeze({ ok: true, timedOut: false });
const OK_IN_BOUND: HandlerOutcome & { abandoned: boolean } = Object.freeze({ ok: true, abandoned: false });

/**
 * Runs the merchant's work under a deadline: `deadlines`, whose delay is the
 * timeout (one list per route, shared by its runs). At the deadline the
 * provider is answered "not done" and the context aborts, but the work is
 * not forgotten: its claim is only completed or released once it really
 * settles, so a retry cannot run it a second time alongside. Up to
 * `hardTimeoutMs`: work that has not settled by then is given up
 * (`bounded`), so that a hung handler frees what it holds, and its request,
 * instead of keeping them forever.
 */
export function runWithDeadline(work: () => Promise<unknown>, context: RunContext<unknown>, deadlines: FixedDelayTimers, hardTimeoutMs = Infinity): TimedRun {
  return new DeadlineRun(work, context, deadlines, hardTimeoutMs);
}

type Bounded = HandlerOutcome & { abandoned: boolean };

/**
 * One run's state, made for every notification. `bounded` is only made when
 * asked for, which is after a timeout (or in a test): a run that settles in
 * time, nearly all of them, never needs that promise.
 */
class DeadlineRun extends ScheduledTimer implements TimedRun {
  readonly answer: Promise<HandlerOutcome & { timedOut: boolean }>;
  readonly settled: Promise<HandlerOutcome>;
  private answerWith!: (outcome: HandlerOutcome & { timedOut: boolean }) => void;
  private boundOutcome: Bounded | undefined;
  private boundWith: ((outcome: Bounded) => void) | undefined;
  private boundPromise: Promise<Bounded> | undefined;
  private hardTimer: NodeJS.Timeout | undefined;

  constructor(
    work: () => Promise<unknown>,
    private readonly context: RunContext<unknown>,
    private readonly deadlines: FixedDelayTimers,
    private readonly hardTimeoutMs: number,
  ) {
    super();
    this.answer = new Promise((resolve) => (this.answerWith = resolve));
    // The run is its own deadline timer: no callback and no timer object of its own per notification.
    deadlines.schedule(this);
    // Whichever comes first answers; a later resolve is a no-op.
    this.settled = work().then(
      () => this.succeeded(),
      (error: unknown) => this.failed(error),
    );
  }

  get bounded(): Promise<Bounded> {
    if (this.boundPromise === undefined) {
      const known = this.boundOutcome;
      this.boundPromise = known !== undefined ? Promise.resolve(known) : new Promise((resolve) => (this.boundWith = resolve));
    }
    return this.boundPromise;
  }

  /** The deadline. */
  onDue(): void {
    const timeoutMs = this.deadlines.delayMs;
    const error = new WebhookError('HANDLER_TIMEOUT', `onEvent did not finish within ${timeoutMs} ms.`);
    RunContext.abort(this.context, error);
    this.answerWith({ ok: false, error, timedOut: true });
    // Set only now: a run that settles in time (nearly all) costs no second timer.
    if (this.hardTimeoutMs === Infinity) return;
    this.hardTimer = setTimeout(() => this.giveUp(), this.hardTimeoutMs - timeoutMs);
    // Nothing is left to do at the hard deadline of a process that is exiting anyway.
    this.hardTimer.unref();
  }

  private succeeded(): HandlerOutcome {
    this.stopTimers();
    this.answerWith(OK_IN_TIME);
    this.bind(OK_IN_BOUND);
    return OK;
  }

  private failed(error: unknown): HandlerOutcome {
    this.stopTimers();
    const outcome = { ok: false as const, error: asHandlerError(error) };
    this.answerWith({ ...outcome, timedOut: false });
    this.bind({ ...outcome, abandoned: false });
    return outcome;
  }

  private stopTimers(): void {
    this.deadlines.cancel(this);
    clearTimeout(this.hardTimer);
  }

  /** The first outcome of the bound counts: the work's, or the hard deadline's. */
  private bind(outcome: Bounded): void {
    if (this.boundOutcome !== undefined) return;
    this.boundOutcome = outcome;
    this.boundWith?.(outcome);
  }

  /** At the hard deadline: the run is given up, and its context lets go of the request. */
  private giveUp(): void {
    const error = new WebhookError('HANDLER_ABANDONED', `onEvent had not settled after hardTimeoutMs (${this.hardTimeoutMs} ms); it was given up and a retry may run.`);
    RunContext.abort(this.context, error);
    RunContext.detach(this.context);
    this.bind({ ok: false, error, abandoned: true });
  }
}

function asHandlerError(error: unknown): WebhookError {
  if (error instanceof WebhookError) return copyOf(error);
  // Its message is where the merchant looks (log line, onError, lastError); never in a response body.
  // No "the provider will retry": in inbox mode the inbox does.
  return new WebhookError('HANDLER_FAILED', `onEvent threw or rejected: ${describeCause(error)}`, { cause: error });
}

/**
 * A WebhookError the work threw, as a new object: the pipeline adds the
 * provider and event id to what it reports, and must not write to an object
 * the merchant owns (and may throw again, or share between notifications).
 */
function copyOf(error: WebhookError): WebhookError {
  const copy = new WebhookError(error.code, error.message, { cause: error.cause, provider: error.provider, eventId: error.eventId });
  copy.stack = error.stack;
  return copy;
}
