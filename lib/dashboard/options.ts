import type { IncomingMessage } from 'node:http';
import type { DurableInbox } from '../inbox/durable-inbox';
import { positiveMs } from '../core/durations';
import type { DashboardAuthorize } from './access';

/** What the dashboard uses of an inbox: SqliteInbox and RedisInbox both have it. */
/** What the dashboard uses of an inbox; without `history` (an inbox of your own) an entry page shows no attempts table. */
export type DashboardInbox = Pick<DurableInbox, 'list' | 'get' | 'counts' | 'replay' | 'purge'> & Partial<Pick<DurableInbox, 'history'>>;

/** Where actions (who replayed, retried or purged what) and failures are written. */
export interface DashboardLogger {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export interface InboxDashboardOptions<Req extends IncomingMessage = IncomingMessage> {
  /** The inbox the app's middlewares share. */
  inbox: DashboardInbox;
  /**
   * Your access check, run for every request (pages, actions, the
   * stylesheet): `true` or a principal name lets it through, `false` is a
   * 403, `{ deny: 401, challenge }` asks for credentials. May be async; a
   * throw is a 500 and the request goes no further.
   */
  authorize: DashboardAuthorize<Req>;
  /** Default: console. */
  logger?: DashboardLogger;
  /**
   * The key of the forms' CSRF tokens, at least 32 characters. Default: a
   * random key per process; give one when several instances serve the
   * dashboard behind one address, so a page from one works on another.
   */
  csrfSecret?: string;
  /**
   * The dashboard's public origins, e.g. ['https://admin.shop.example'], when
   * a proxy in front changes the Host header. Default: a post's Origin must
   * name the Host it was sent to.
   */
  origins?: string[];
  /**
   * How long a page or an action may wait for the inbox (a stalled Redis)
   * before the answer is a 503. An action may still complete after it.
   * Default 15000.
   */
  timeoutMs?: number;
  /** The clock, in ms; tests inject one. */
  now?: () => number;
}

export const WHERE = 'express-payment-webhooks (createInboxDashboard)';

const INBOX_METHODS = ['list', 'get', 'counts', 'replay', 'purge'] as const;
const LOGGER_METHODS = ['info', 'warn', 'error'] as const;

/** Refuses a dashboard that could not work, or that would be open to anyone. */
export function checkOptions(options: InboxDashboardOptions<never>): void {
  if (options === null || typeof options !== 'object') throw new TypeError(`${WHERE}: options { inbox, authorize } are required.`);
  if (typeof options.authorize !== 'function') {
    throw new TypeError(`${WHERE}: authorize(req) is required: the dashboard replays and deletes entries, and only your own access check can say who may.`);
  }
  const inbox = options.inbox as unknown as Record<string, unknown> | null | undefined;
  if (inbox === null || typeof inbox !== 'object' || INBOX_METHODS.some((name) => typeof inbox[name] !== 'function')) {
    throw new TypeError(`${WHERE}: inbox must be a SqliteInbox or a RedisInbox (it needs ${INBOX_METHODS.join(', ')}).`);
  }
  const logger = options.logger as unknown as Record<string, unknown> | null | undefined;
  if (logger !== undefined && (logger === null || typeof logger !== 'object' || LOGGER_METHODS.some((name) => typeof logger[name] !== 'function'))) {
    throw new TypeError(`${WHERE}: logger must have info, warn and error functions.`);
  }
  if (options.csrfSecret !== undefined && (typeof options.csrfSecret !== 'string' || options.csrfSecret.length < 32)) {
    throw new TypeError(`${WHERE}: csrfSecret must be a string of at least 32 characters (e.g. 32 random bytes as hex).`);
  }
  if (options.origins !== undefined) {
    const valid = Array.isArray(options.origins) && options.origins.length > 0 && options.origins.every(isOrigin);
    if (!valid) throw new TypeError(`${WHERE}: origins must be a non-empty list of origins like 'https://admin.shop.example' (scheme, host, optional port; no path).`);
  }
  if (options.now !== undefined && typeof options.now !== 'function') throw new TypeError(`${WHERE}: now must be a function.`);
  positiveMs(WHERE, 'timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS);
}

export const DEFAULT_TIMEOUT_MS = 15_000;

function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}
