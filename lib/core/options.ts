import type { IncomingMessage } from 'node:http';
import type { DedupStore } from '../dedup/store';
import type { Inbox } from '../inbox/inbox';
import type { WebhookError } from './errors';
import type { AnyWebhookEvent, HandlerContext } from './event';
import type { WebhookLogger } from './log';

/** The request as the Express middleware and the node:http listener see it: Node's, plus what Express adds. */
export interface WebhookRequest extends IncomingMessage {
  ip?: string;
  originalUrl?: string;
  body?: unknown;
  /** The raw bytes, where an earlier body parser kept them (body-parser's `verify`). */
  rawBody?: Buffer | string;
}

/** Options every provider's middleware takes. */
export interface WebhookOptions<E extends AnyWebhookEvent, Req = WebhookRequest> {
  /** Your work. Resolve when it is done; throw or reject to make the provider retry. */
  onEvent(event: E, ctx: HandlerContext<Req>): unknown;
  /** Where handled notifications are remembered. Default: a MemoryDedupStore per middleware. */
  store?: DedupStore;
  /** Override how a notification is identified (the default is the provider's documented key). */
  dedupKey?(event: E): string;
  /** Max body size, in bytes or as '64kb'. Default '64kb'. */
  limit?: number | string;
  /**
   * After this, answer "not done" so the provider retries, and abort
   * `ctx.signal`. The claim stays held (and renewed) until the handler
   * settles, so no retry runs alongside it. Default 5000.
   */
  handlerTimeoutMs?: number;
  /**
   * A handler still not settled after this is given up: the attempt counts
   * as failed (reported as HANDLER_ABANDONED), its claim (or inbox lease) is
   * let go so a retry may run, and `ctx.req` becomes undefined. What it does
   * later still counts: a late success marks the notification done, a late
   * failure is reported. At least `handlerTimeoutMs`; default
   * max(60 000, 10 × handlerTimeoutMs). Not used with `transactional: true`:
   * there the rollback at `handlerTimeoutMs` already frees the notification.
   */
  hardTimeoutMs?: number;
  /** How long the body may take to arrive. Default 10000. */
  readTimeoutMs?: number;
  /**
   * How long a claim blocks duplicates if this process dies mid-handler.
   * While the handler runs, the claim is renewed every lockTtlMs / 3.
   * Default 2 × handlerTimeoutMs + 5 s.
   */
  lockTtlMs?: number;
  /** How long a handled notification is remembered. Default 3 days: longer than any provider's retries. */
  doneTtlMs?: number;
  /**
   * Sender IP allow-list: addresses or CIDR ranges, IPv4 or IPv6. Uses the
   * server's client address after its proxy rules: Express `req.ip` (`trust
   * proxy`), Fastify `request.ip` (`trustProxy`), Koa `ctx.ip` (`app.proxy`),
   * the socket's address for node:http, and the `clientIp` adapter option for
   * the Fetch handler (no address there: every request is refused).
   */
  allowIps?: readonly string[];
  /**
   * Re-check the notification with the provider (e.g. query its API) before
   * your handler runs. False or a throw: not acked, the provider retries.
   */
  confirm?(event: E, ctx: HandlerContext<Req>): boolean | Promise<boolean>;
  /**
   * Observe every rejection and failure (metrics, your own logging). May be
   * async: a throw or a rejection is ignored and never changes the answer.
   * `req` is undefined for inbox deliveries and for a run given up at hardTimeoutMs.
   */
  onError?(error: WebhookError, req: Req | undefined): void;
  /**
   * Where each refusal and failure is logged, one line each (`warn` for a
   * request refused, `error` for a handler, store or configuration failure),
   * called with one string: console, pino, bunyan and winston all take that.
   * `false` logs nothing. Default: `console`.
   */
  logger?: WebhookLogger | false;
  /**
   * Store each verified notification durably (`new SqliteInbox({ path })`,
   * `new RedisInbox({ url })`), ack the provider at once, and deliver it to
   * `onEvent` with the inbox's own retries. The provider is told "done"
   * before your handler ran. Default: none (ack only after `onEvent`).
   */
  inbox?: Inbox;
  /**
   * Run `onEvent` inside a database transaction that also marks the
   * notification done, and hand it the transaction's connection as `ctx.db`
   * (needs a store that can: `PostgresDedupStore`). What the handler writes
   * through `ctx.db` and the done marker commit together or not at all; a
   * throw or `handlerTimeoutMs` rolls both back and the provider retries.
   * With `inbox` (a `PostgresInbox`): each delivery runs in a transaction of
   * the inbox's database that also marks it delivered; a throw or
   * `handlerTimeoutMs` rolls both back and the inbox retries it. Either way
   * the rollback at `handlerTimeoutMs` frees the notification, so
   * `hardTimeoutMs` does not apply. Default false.
   */
  transactional?: boolean;
  /**
   * With `resolveCredentials`: how long an account's credentials are kept
   * before it is asked again (a rotated key takes effect within this); an
   * unknown account is kept for the shorter of this and 5 s. 0: asked for
   * every notification. Default 60 000.
   */
  credentialsCacheMs?: number;
}
