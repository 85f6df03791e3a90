import { ClaimRenewals, type ClaimRenewal, type RenewalFailure } from '../dedup/claim-renewal';
import type { Inbox } from '../inbox/inbox';
import { answerOf, type WebhookAnswer } from './answer';
import { accountCredentials, type Access } from './credentials';
import { dedupKeyOf } from './dedup-key';
import { nextUniqueToken } from './unique-token';
import { describeCause, WebhookError } from './errors';
import { FixedDelayTimers } from './fixed-delay-timers';
import type { AnyWebhookEvent, HandlerContext } from './event';
import type { WebhookOptions } from './options';
import type { ParsedBody, ProviderRequest, ProviderSpec } from './provider-spec';
import { logReport } from './log';
import { readParsedBody } from './read-body';
import type { RequestFacts } from './request-facts';
import { RunContext, runWithDeadline, type TimedRun } from './run-handler';
import { resolveSettings } from './settings';
import { startupLog } from './startup-log';
import { activeSteps, traceNotification, type NotificationTrace, type StepRunner } from '../telemetry/notification-trace';

/** Handles one request and resolves with the answer for the adapter to write; never rejects. */
export type WebhookHandler<Req> = (request: RequestFacts<Req>) => Promise<WebhookAnswer>;

/**
 * The pipeline, written once for every provider:
 * read → parse → authenticate → claim → handler → complete/release → ack
 * (answerRequest, below).
 * With `inbox`: … → claim → durable put → complete → ack; the inbox runs the
 * handler later (lib/inbox/delivery-worker.ts).
 */
export function createWebhookHandler<E extends AnyWebhookEvent, Req, C>(
  spec: ProviderSpec<E, C>,
  options: WebhookOptions<E, Req>,
): WebhookHandler<Req> {
  const settings = resolveSettings(spec.provider, options);
  const accounts = accountCredentials(spec as ProviderSpec<AnyWebhookEvent, C>, options, settings.handlerTimeoutMs);
  const logger = startupLog(spec.provider, options);
  const { store } = settings;
  // Made once: the success answer is constant.
  const success = answerOf(200, spec.success);
  // One timer list each for the route's handler deadlines and claim renewals, not two Node timers per notification.
  const deadlines = new FixedDelayTimers(settings.handlerTimeoutMs);
  // Transactional runs time out on the same list: a list of their own would leave its emptied timer behind each run.
  const exclusiveTiming = { deadlines, doneTtlMs: settings.doneTtlMs };
  const renewals = new ClaimRenewals(store, settings.lockTtlMs);

  const deliverySteps = activeSteps(spec.provider);
  options.inbox?.register({
    provider: spec.provider,
    handlerTimeoutMs: settings.handlerTimeoutMs,
    hardTimeoutMs: settings.hardTimeoutMs,
    transactional: options.transactional === true,
    run: (event, ctx) => work(event as E, ctx, deliverySteps),
    // Logged and told to onError like any failure (report() swallows an async onError's rejection).
    report: (error) => report(error, undefined, 'inbox'),
  });

  /** Tells the merchant's onError; it may be async, and neither its throw nor its rejection goes further. */
  function report(error: WebhookError, req: Req | undefined, via: 'request' | 'inbox' = 'request'): void {
    // Every error reaching here is the package's own (run-handler copies a merchant's WebhookError).
    error.provider ??= spec.provider;
    logReport(logger, spec.provider, error, via);
    if (options.onError === undefined) return;
    try {
      const observed: unknown = options.onError(error, req);
      if (observed !== undefined) Promise.resolve(observed).catch(ignore);
    } catch {
      // An observer that throws must not change what the provider is told.
    }
  }

  function refuse(error: WebhookError, req: Req): WebhookAnswer {
    // The developer learns the fix from the log line; whoever called the public URL gets the usual failure ack.
    report(error, req);
    return answerOf(error.status, spec.failure(error));
  }

  /** What is refused before the body is read. */
  function admit(facts: RequestFacts<Req>): void {
    if (facts.method !== 'POST') throw new WebhookError('METHOD_NOT_ALLOWED', `Webhooks are POSTed; got ${String(facts.method).slice(0, 16)}.`);
    if (settings.allowIp === undefined) return;
    // Read once: Express recomputes req.ip (trust proxy, X-Forwarded-For) on every read.
    const ip = facts.ip;
    if (!settings.allowIp(ip)) throw new WebhookError('IP_NOT_ALLOWED', `Sender ${String(ip).slice(0, 64)} is not in allowIps.`);
  }

  /** The body, authenticated with the named account's credentials (or the static ones), as the event the handler gets. */
  function eventFrom(body: ParsedBody, request: ProviderRequest, access: Access<C>, receivedAt: Date): E {
    const signedFields = spec.authenticate(body, request, access.credentials);
    const draft = spec.toEvent(body, access.credentials);
    const event = { provider: spec.provider, ...draft, signedFields, receivedAt } as unknown as E;
    // Static credentials: no account, and the event (and what an inbox stores of it) exactly as before.
    if (access.account !== undefined) event.account = access.account;
    if (options.dedupKey !== undefined) event.id = customKey(options.dedupKey, event);
    return event;
  }

  /** Done: mark the key done; not done: free it for the provider's retry. A store failure is reported, not thrown. */
  function finish(key: string, token: string, done: boolean, req: Req | undefined, eventId: string): Promise<void> {
    const step = done ? store.complete(key, settings.doneTtlMs, token) : store.release(key, token);
    return step.then(undefined, (cause: unknown) => {
      report(
        new WebhookError('STORE_UNAVAILABLE', `The dedup store failed to ${done ? 'mark the notification done' : 'release its claim'}.`, {
          cause,
          eventId,
        }),
        req,
      );
    });
  }

  /** What the claim said, when it was not "claimed": a duplicate is acked, one still running is refused for a retry. */
  function unclaimed(state: 'in-flight' | 'done', eventId: string): WebhookAnswer {
    if (state === 'done') return success;
    throw new WebhookError('IN_FLIGHT', 'This notification is already being handled; the provider will retry.', { eventId });
  }

  /**
   * Direct mode's claim renewal, from now until the run settles or is given
   * up: a lost claim is reported and aborts the run's ctx.signal. Nothing
   * here holds `req` except `ctx`, which lets go of it when the run is given up.
   */
  function renewClaim(key: string, token: string, eventId: string, ctx: RunContext<Req>): ClaimRenewal {
    return renewals.start(key, token, (failure) => {
      const error = claimLost(failure, eventId);
      report(error, ctx.req);
      RunContext.abort(ctx, error);
    });
  }

  /**
   * After a timeout answer: the claim is completed or released once the run
   * settles, or released at hardTimeoutMs; what the run does after that still
   * counts (a late success marks the key done, a late failure is reported).
   */
  async function settleLate(run: TimedRun, renewal: ClaimRenewal, key: string, token: string, ctx: RunContext<Req>, eventId: string): Promise<void> {
    const outcome = await run.bounded;
    renewal.stop();
    await finish(key, token, outcome.ok, ctx.req, eventId);
    if (outcome.ok) return;
    outcome.error.eventId = eventId;
    report(outcome.error, ctx.req);
    if (!outcome.abandoned) return;
    const late = await run.settled;
    if (late.ok) {
      await finish(key, token, true, undefined, eventId);
      return;
    }
    late.error.eventId = eventId;
    report(late.error, undefined);
  }

  /** Inbox mode: once the notification is durably stored it is the inbox's, and the provider is acked. */
  async function persist(inbox: Inbox, event: E, key: string, token: string, req: Req, trace: NotificationTrace): Promise<WebhookAnswer> {
    try {
      await trace.step('inbox put', () => inbox.put(key, event));
    } catch (cause) {
      const error = new WebhookError('INBOX_UNAVAILABLE', 'The inbox could not store the notification; the provider will retry.', { cause, eventId: event.id });
      await finish(key, token, false, req, event.id);
      throw error;
    }
    await finish(key, token, true, req, event.id);
    return success;
  }

  /** The merchant's work as one promise, each part in its own span: a synchronous throw becomes a rejection. */
  function work(event: E, ctx: HandlerContext<Req>, steps: StepRunner): Promise<unknown> {
    if (options.confirm !== undefined) return confirmThenHandle(options.confirm, event, ctx, steps);
    return steps.step('onEvent', () => handle(event, ctx));
  }

  function handle(event: E, ctx: HandlerContext<Req>): Promise<unknown> {
    try {
      // The handler's own promise, as is: no extra async frame per notification.
      return Promise.resolve(options.onEvent(event, ctx));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async function confirmThenHandle(confirm: NonNullable<typeof options.confirm>, event: E, ctx: HandlerContext<Req>, steps: StepRunner): Promise<void> {
    await steps.step('confirm', () => confirmWith(confirm, event, ctx));
    await steps.step('onEvent', () => handle(event, ctx));
  }

  /**
   * One request, from the first check to the answer for the adapter to write;
   * never rejects. The whole direct path is this one async function: each
   * async layer more costs every notification a frame and a promise, which
   * measured as several percent of a node:http notification's CPU time.
   */
  async function answerRequest(facts: RequestFacts<Req>, trace: NotificationTrace): Promise<WebhookAnswer> {
    let answer: WebhookAnswer;
    let refusal: WebhookError | undefined;
    try {
      admit(facts);
      const receivedAt = new Date();
      const body = await readParsedBody(spec as unknown as ProviderSpec<never>, facts, settings);
      const request: ProviderRequest = { headers: facts.headers, url: facts.url };
      // Static credentials: no await, the hot path as it was.
      const access = accounts.fixed ?? (await accounts.resolve(body, request));
      const event = trace.stepSync('verify', () => eventFrom(body, request, access, receivedAt));
      trace.identify(event);
      const key = dedupKeyOf(spec.provider, event);
      if (settings.runExclusive !== undefined) {
        await settings.runExclusive(key, event.id, exclusiveTiming, (ctx) => work(event, ctx, trace), facts.req);
        answer = success;
      } else {
        const token = nextUniqueToken();
        let state;
        try {
          state = await trace.step('dedup claim', () => store.claim(key, settings.lockTtlMs, token));
        } catch (cause) {
          throw new WebhookError('STORE_UNAVAILABLE', 'The dedup store could not be reached; the provider will retry.', { cause, eventId: event.id });
        }
        trace.claimed(state);
        if (state !== 'claimed') answer = unclaimed(state, event.id);
        else if (options.inbox !== undefined) answer = await persist(options.inbox, event, key, token, facts.req, trace);
        else {
          // The handler runs while the claim is held, renewed until the run settles or is given up at hardTimeoutMs.
          const ctx = new RunContext(facts.req);
          const renewal = renewClaim(key, token, event.id, ctx);
          const run = runWithDeadline(() => work(event, ctx, trace), ctx, deadlines, settings.hardTimeoutMs);
          const outcome = await run.answer;
          if (outcome.timedOut) {
            void settleLate(run, renewal, key, token, ctx, event.id);
          } else {
            renewal.stop();
            await finish(key, token, outcome.ok, ctx.req, event.id);
          }
          if (!outcome.ok) {
            outcome.error.eventId = event.id;
            throw outcome.error;
          }
          answer = success;
        }
      }
    } catch (error) {
      refusal = toWebhookError(error);
      answer = refuse(refusal, facts.req);
    }
    trace.end(answer.status, refusal?.code);
    return answer;
  }

  return function handleRequest(facts) {
    const trace = traceNotification(spec.provider, facts.method);
    return trace.run(() => answerRequest(facts, trace));
  };
}

async function confirmWith<E, C>(confirm: (event: E, ctx: C) => boolean | Promise<boolean>, event: E, ctx: C): Promise<void> {
  let confirmed: boolean;
  try {
    confirmed = await confirm(event, ctx);
  } catch (cause) {
    throw new WebhookError('CONFIRM_FAILED', `confirm threw or rejected: ${describeCause(cause)}`, { cause });
  }
  if (confirmed !== true) throw new WebhookError('NOT_CONFIRMED', 'confirm did not confirm the notification.');
}

function customKey<E>(dedupKey: (event: E) => string, event: E): string {
  let key: unknown;
  try {
    key = dedupKey(event);
  } catch (cause) {
    throw new WebhookError('CONFIGURATION', 'The dedupKey option threw.', { cause });
  }
  if (typeof key !== 'string' || key === '') throw new WebhookError('CONFIGURATION', 'The dedupKey option must return a non-empty string.');
  return key;
}

function claimLost(failure: RenewalFailure, eventId: string): WebhookError {
  if (failure.lost) {
    return new WebhookError('CLAIM_LOST', 'The claim on this notification expired or was taken while onEvent ran; ctx.signal was aborted.', { eventId });
  }
  return new WebhookError('CLAIM_LOST', 'The dedup store failed to renew the claim while onEvent ran; ctx.signal was aborted.', { cause: failure.cause, eventId });
}

function ignore(): void {}

function toWebhookError(error: unknown): WebhookError {
  if (error instanceof WebhookError) return error;
  // A bug of ours or a throwing spec: still answered, never a crash or a hang.
  return new WebhookError('HANDLER_FAILED', `Unexpected internal error while handling the notification: ${describeCause(error)}`, { cause: error });
}
