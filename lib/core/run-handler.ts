import { describeCause, WebhookError } from './errors';
import type { HandlerContext } from './event';

export type HandlerOutcome = { ok: true } | { ok: false; error: WebhookError };

export interface TimedRun {
  /** The outcome the provider is answered with: the work's, or a timeout. */
  answer: Promise<HandlerOutcome & { timedOut: boolean }>;
  /** The work's own outcome, whenever it settles (after a timeout, too). */
  settled: Promise<HandlerOutcome>;
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

  constructor(readonly req: Req) {}

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
}

const OK: HandlerOutcome = Object.freeze({ ok: true });
const OK_IN_TIME: HandlerOutcome & { timedOut: boolean } = Object.freeze({ ok: true, timedOut: false });

/**
 * Runs the merchant's work under a deadline. At the deadline the provider is
 * answered "not done" and the context aborts, but the work is not forgotten:
 * its claim is only completed or released once it really settles, so a retry
 * cannot run it a second time alongside.
 */
export function runWithDeadline(work: () => Promise<unknown>, context: RunContext<unknown>, timeoutMs: number): TimedRun {
  let answerWith!: (outcome: HandlerOutcome & { timedOut: boolean }) => void;
  const answer = new Promise<HandlerOutcome & { timedOut: boolean }>((resolve) => (answerWith = resolve));
  const timer = setTimeout(() => {
    const error = new WebhookError('HANDLER_TIMEOUT', `onEvent did not finish within ${timeoutMs} ms.`);
    RunContext.abort(context, error);
    answerWith({ ok: false, error, timedOut: true });
  }, timeoutMs);
  // Whichever comes first answers; a later resolve is a no-op.
  const settled = work().then(
    (): HandlerOutcome => {
      clearTimeout(timer);
      answerWith(OK_IN_TIME);
      return OK;
    },
    (error: unknown): HandlerOutcome => {
      clearTimeout(timer);
      const outcome = { ok: false as const, error: asHandlerError(error) };
      answerWith({ ...outcome, timedOut: false });
      return outcome;
    },
  );
  return { answer, settled };
}

function asHandlerError(error: unknown): WebhookError {
  if (error instanceof WebhookError) return error;
  // Its message is where the merchant looks (log line, onError, lastError); never in a response body.
  // No "the provider will retry": in inbox mode the inbox does.
  return new WebhookError('HANDLER_FAILED', `onEvent threw or rejected: ${describeCause(error)}`, { cause: error });
}
