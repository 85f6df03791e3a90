import { exclusiveStoreOf, type ExclusiveDedupStore } from '../dedup/exclusive';
import type { PostgresClient } from '../postgres/types';
import { WebhookError } from './errors';
import type { HandlerContext } from './event';
import type { FixedDelayTimers } from './fixed-delay-timers';
import { RunContext, runWithDeadline } from './run-handler';

/** `ctx` in transactional mode: the run's context plus the connection of its transaction. */
export class TransactionRunContext<Req> extends RunContext<Req> {
  constructor(
    req: Req,
    readonly db: PostgresClient,
  ) {
    super(req);
  }
}

export interface ExclusiveTiming {
  /** The route's handler deadlines (their delay is handlerTimeoutMs), shared with its other runs. */
  deadlines: FixedDelayTimers;
  doneTtlMs: number;
}

export type ExclusiveRunner = <Req>(key: string, eventId: string, timing: ExclusiveTiming, work: (ctx: HandlerContext<Req>) => Promise<unknown>, req: Req) => Promise<void>;

/** Option `transactional`, checked at startup: the runner for its store, or undefined when off. */
export function exclusiveRunner(where: string, options: Parameters<typeof exclusiveStoreOf>[1]): ExclusiveRunner | undefined {
  const store = exclusiveStoreOf(where, options);
  if (store === undefined) return undefined;
  return (key, eventId, timing, work, req) => runExclusive(store, key, eventId, timing, work, req);
}

/**
 * Transactional mode (option `transactional: true`): the store runs the work
 * inside the transaction that marks the key done. Resolves when the key is
 * done (now or before); rejects with the error the provider is answered with:
 * IN_FLIGHT while another run holds the key, the handler's failure or
 * timeout (rolled back), STORE_UNAVAILABLE when the database failed.
 *
 * At `handlerTimeoutMs` the provider is answered "not done", `ctx.signal`
 * aborts and the transaction is rolled back at once (its connection closed):
 * unlike the plain mode there is no claim left to hold, because nothing the
 * handler did through `ctx.db` can commit any more.
 */
export async function runExclusive<Req>(
  store: ExclusiveDedupStore,
  key: string,
  eventId: string,
  timing: ExclusiveTiming,
  work: (ctx: HandlerContext<Req>) => Promise<unknown>,
  req: Req,
): Promise<void> {
  let failure: WebhookError | undefined;
  let outcome;
  try {
    outcome = await store.runExclusive(key, timing.doneTtlMs, async (db) => {
      const ctx = new TransactionRunContext(req, db);
      const answer = await runWithDeadline(() => work(ctx), ctx, timing.deadlines).answer;
      if (answer.ok) return;
      failure = answer.error;
      throw failure;
    });
  } catch (cause) {
    if (failure === undefined) {
      // Not "nothing committed": a COMMIT cut off may have gone through. Either way the retry is right (run, or answered done).
      failure = new WebhookError('STORE_UNAVAILABLE', 'The dedup store failed while handling the notification; the provider will retry.', { cause });
    }
    failure.eventId = eventId;
    throw failure;
  }
  if (outcome === 'in-flight') {
    throw new WebhookError('IN_FLIGHT', 'This notification is already being handled; the provider will retry.', { eventId });
  }
}
