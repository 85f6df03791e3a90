import type { IncomingHttpHeaders } from 'node:http';
import { isWellFormed } from '../body/fields';
import { CredentialsCache } from './credentials-cache';
import { describeCause, WebhookError } from './errors';
import type { AnyWebhookEvent } from './event';
import { assertKnownOptions } from './option-names';
import type { ParsedBody, ProviderRequest, ProviderSpec } from './provider-spec';
import { settleWithin } from './settle-within';

/** What `resolveCredentials` learns about the request besides the account id. Nothing in it is verified yet. */
export interface CredentialsContext {
  /** The provider of the middleware asking, e.g. 'pay247'. */
  readonly provider: string;
  /** The request's headers, as received. */
  readonly headers: Readonly<IncomingHttpHeaders>;
  /** The path and query the request arrived at (Express: `req.originalUrl`). */
  readonly url: string;
}

/**
 * Looks up one merchant account's credentials, in the shape of the
 * provider's static credential options (e.g. `{ secret }`). `undefined` (or
 * `null`): no such account. The result is cached per account
 * (`credentialsCacheMs`), so it must depend on `account` only.
 */
export type CredentialsResolver<C> = (account: string, ctx: CredentialsContext) => C | null | undefined | Promise<C | null | undefined>;

/**
 * The options of a route serving many merchant accounts: no static
 * credentials (the compiler refuses them alongside), `resolveCredentials`
 * instead.
 */
export type ResolverOptions<C> = { [K in keyof C]?: never } & {
  /**
   * Many merchant accounts on one route: the account the notification names
   * (see docs/multi-account.md for each provider's field) is looked up here,
   * and only its credentials can verify the notification.
   */
  resolveCredentials: CredentialsResolver<C>;
};

/** The credentials a notification is verified with, and the account they belong to (undefined with static credentials). */
export interface Access<C> {
  account: string | undefined;
  credentials: C;
}

/** An account id longer than this is no merchant's: refused as unknown without asking resolveCredentials. */
export const MAX_ACCOUNT_LENGTH = 256;
export const DEFAULT_CREDENTIALS_CACHE_MS = 60_000;
/** "No such account" is kept shorter, so an account just added works within seconds. */
const UNKNOWN_ACCOUNT_MAX_MS = 5_000;
/** Per middleware, known and unknown accounts each. */
export const MAX_CACHED_ACCOUNTS = 10_000;

export interface AccountCredentials<C> {
  /** Static credentials, prepared once at construction; undefined with resolveCredentials. */
  fixed: Access<C> | undefined;
  /** With resolveCredentials: the credentials of the account the request names (cached). */
  resolve(body: ParsedBody, request: ProviderRequest): Promise<Access<C>>;
}

interface CredentialOptions {
  resolveCredentials?: unknown;
  credentialsCacheMs?: unknown;
  [name: string]: unknown;
}

/**
 * Where a middleware's credentials come from, checked at construction:
 * its static options (prepared here, once), or `resolveCredentials`.
 */
export function accountCredentials<C>(spec: ProviderSpec<AnyWebhookEvent, C>, options: object, timeoutMs: number): AccountCredentials<C> {
  const where = `express-payment-webhooks (${spec.provider})`;
  const given = options as CredentialOptions;
  const resolver = given.resolveCredentials;
  const cacheMs = given.credentialsCacheMs;
  const names = spec.credentialOptions ?? [];
  const statics = names.filter((name) => given[name] !== undefined);
  if (resolver === undefined) {
    if (cacheMs !== undefined) throw new TypeError(`${where}: credentialsCacheMs applies only with resolveCredentials.`);
    // A spec without a credentials preparer holds its own (one written before resolveCredentials existed).
    const fixed = { account: undefined, credentials: (spec.credentials === undefined ? undefined : spec.credentials(options)) as C };
    return { fixed, resolve: () => Promise.resolve(fixed) };
  }
  const { credentials, accountOf } = spec;
  if (credentials === undefined || accountOf === undefined) throw new TypeError(`${where}: this provider does not take resolveCredentials.`);
  if (typeof resolver !== 'function') throw new TypeError(`${where}: resolveCredentials must be a function (account, ctx) returning the account's credentials.`);
  if (statics.length > 0) {
    throw new TypeError(`${where}: give either ${statics.join(', ')} or resolveCredentials, not both: with resolveCredentials each account's credentials come from it.`);
  }
  if (cacheMs !== undefined && (typeof cacheMs !== 'number' || !Number.isFinite(cacheMs) || cacheMs < 0)) {
    throw new TypeError(`${where}: credentialsCacheMs must be a number of milliseconds, 0 or more (0: ask resolveCredentials for every notification).`);
  }
  const ttlMs = (cacheMs as number | undefined) ?? DEFAULT_CREDENTIALS_CACHE_MS;
  const accounts: AccountSpec<C> = { provider: spec.provider, credentialOptions: names, credentials, accountOf, accountField: spec.accountField ?? 'account id' };
  return resolvedCredentials(accounts, resolver as CredentialsResolver<unknown>, new CredentialsCache<C>({
    ttlMs,
    unknownTtlMs: Math.min(ttlMs, UNKNOWN_ACCOUNT_MAX_MS),
    maxEntries: MAX_CACHED_ACCOUNTS,
    now: () => Date.now(),
  }), timeoutMs);
}

/** What resolver mode needs of a provider's spec. */
interface AccountSpec<C> {
  provider: string;
  credentialOptions: readonly string[];
  credentials(raw: object): C;
  accountField: string;
  accountOf(body: ParsedBody, request: ProviderRequest): string | undefined;
}

/** Resolver mode: account named → cached or looked-up credentials, prepared once per lookup. */
function resolvedCredentials<C>(
  spec: AccountSpec<C>,
  resolver: CredentialsResolver<unknown>,
  cache: CredentialsCache<C>,
  timeoutMs: number,
): AccountCredentials<C> {
  const where = `express-payment-webhooks (${spec.provider})`;
  // The names a resolver's result may hold: those of the static options.
  const credentialNames = Object.fromEntries(spec.credentialOptions.map((name) => [name, true] as const));

  async function lookup(account: string, request: ProviderRequest): Promise<C | undefined> {
    const ctx: CredentialsContext = Object.freeze({ provider: spec.provider, headers: request.headers, url: request.url });
    let raw: unknown;
    try {
      // Called inside then(): a synchronous throw becomes a rejection like any other.
      const asked = Promise.resolve().then(() => resolver(account, ctx));
      raw = await settleWithin(asked, timeoutMs, () => new ResolverTimeout(timeoutMs));
    } catch (cause) {
      const what = cause instanceof ResolverTimeout ? cause.message : `threw or rejected: ${describeCause(cause)}`;
      throw new WebhookError('CREDENTIALS_UNAVAILABLE', `resolveCredentials ${what}; the provider will retry.`, { cause });
    }
    if (raw === undefined || raw === null) return undefined;
    try {
      if (typeof raw !== 'object') throw new TypeError(`${where}: credentials must be an object like the static options.`);
      assertKnownOptions(`${where}: resolveCredentials' result`, raw, credentialNames);
      return spec.credentials(raw);
    } catch (cause) {
      throw new WebhookError('CREDENTIALS_UNAVAILABLE', `resolveCredentials returned malformed credentials: ${describeCause(cause)}`, { cause });
    }
  }

  return {
    fixed: undefined,
    async resolve(body, request) {
      const account = spec.accountOf(body, request);
      // A lone surrogate cannot be percent-encoded into a dedup key (the body parsers already refuse one).
      if (typeof account !== 'string' || account === '' || !isWellFormed(account)) {
        throw new WebhookError('BODY_INVALID', `The notification names no account (${spec.accountField}); resolveCredentials needs one.`);
      }
      if (account.length > MAX_ACCOUNT_LENGTH) throw unknownAccount(spec.accountField);
      const cached = cache.peek(account);
      let credentials: C | undefined;
      if (cached === undefined) credentials = await cache.load(account, () => lookup(account, request));
      else if (cached.known) credentials = cached.credentials;
      if (credentials === undefined) throw unknownAccount(spec.accountField);
      return { account, credentials };
    },
  };
}

function unknownAccount(field: string): WebhookError {
  // The id itself stays out of the message: it is whatever the sender wrote.
  return new WebhookError('ACCOUNT_UNKNOWN', `resolveCredentials knows no account by this notification's ${field}.`);
}

class ResolverTimeout extends Error {
  constructor(ms: number) {
    super(`did not settle within handlerTimeoutMs (${ms} ms)`);
  }
}
