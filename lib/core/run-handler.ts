import { WebhookError } from './errors';

export type HandlerOutcome = { ok: true } | { ok: false; error: WebhookError };

export interface TimedRun {
  /** The outcome the provider is answered with: the work's, or a timeout. */
  answer: Promise<HandlerOutcome & { timedOut: boolean }>;
  /** The work's own outcome, whenever it settles (after a timeout, too). */
  settled: Promise<HandlerOutcome>;
}

/**
 * Runs the merchant's work under a deadline. At the deadline the provider is
 * answered "not done" and the signal aborts, but the work is not forgotten:
 * its claim is only completed or released once it really settles, so a retry
 * cannot run it a second time alongside.
 */
export function runWithDeadline(work: (signal: AbortSignal) => Promise<unknown>, timeoutMs: number): TimedRun {
  const controller = new AbortController();
  const settled = work(controller.signal).then(
    (): HandlerOutcome => ({ ok: true }),
    (error: unknown): HandlerOutcome => ({ ok: false, error: asHandlerError(error) }),
  );
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<HandlerOutcome & { timedOut: boolean }>((resolve) => {
    timer = setTimeout(() => {
      const error = new WebhookError('HANDLER_TIMEOUT', `onEvent did not finish within ${timeoutMs} ms; the provider will retry.`);
      controller.abort(error);
      resolve({ ok: false, error, timedOut: true });
    }, timeoutMs);
  });
  const answer = Promise.race([settled.then((outcome) => ({ ...outcome, timedOut: false })), deadline]);
  void answer.then(() => clearTimeout(timer));
  return { answer, settled };
}

function asHandlerError(error: unknown): WebhookError {
  if (error instanceof WebhookError) return error;
  // The handler's own error is the merchant's: kept as `cause`, never put in a message or a body.
  return new WebhookError('HANDLER_FAILED', 'onEvent threw or rejected; the provider will retry.', { cause: error });
}
