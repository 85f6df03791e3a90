import { requiredText, type JsonValue } from '../body/fields';
import { parseJsonObject } from '../body/json';
import { WebhookError } from '../core/errors';
import type { UnlistedEventType, WebhookEvent } from '../core/event';
import type { ResolverOptions } from '../core/credentials';
import { checkMiddlewareOptions, type OwnOptionNames } from '../core/option-names';
import type { WebhookOptions, WebhookRequest } from '../core/options';
import type { ProviderRequest, ProviderSpec } from '../core/provider-spec';
import { toExpressMiddleware, type ExpressRequest, type WebhookMiddleware } from '../express';
import { safeEqual } from '../signing/compare';
import { jsonAck, shortReason } from './json-ack';
import { secretCredentials, type SecretCredentials } from './secrets';

export type CardIssuingCardStatusEventType =
  | 'card.status.active'
  | 'card.status.freeze'
  | 'card.status.unfreeze'
  | 'card.status.closing'
  | 'card.status.closed'
  | 'card.status.lost'
  | 'card.status.replace';

/**
 * A card, as card status events carry it. It holds the full card number, the
 * CVV and the PIN: keep it out of logs, error reports and analytics.
 */
export interface CardIssuingCard {
  card_id: string;
  order_id: string;
  out_order_id: string;
  app_id: number;
  bin_id: string;
  holder_id: string;
  card_no: string;
  /** In yuan (元), a JSON number as sent. */
  balance: number;
  /** Total topped up, in yuan. */
  limit: number;
  /** MM/YY. */
  expiry: string;
  cvv: string;
  pin: string;
  status: number;
  use_at: string;
  close_at: string;
  end_at: string;
  mark: string;
}

/** `data` of the events this package does not describe in detail: the decoded `event_data`. */
export type CardIssuingFields = { [key: string]: JsonValue };

/** The notification body exactly as received. */
export interface CardIssuingEnvelope {
  notify_id: string;
  /** Documented as a long; passed through as sent. */
  customer_id: number | string;
  event: string;
  /** The JSON text `data` was decoded from. */
  event_data: string;
}

export interface CardIssuingEventOf<T extends string, D> extends WebhookEvent<'card-issuing', T, D> {
  envelope: CardIssuingEnvelope;
}

/**
 * Card status events with the card typed, plus every other event (order, card
 * trade, payee, payment, wallet notifications) with `data` as decoded. Narrow
 * with `isEventType(event, 'card.status.freeze')`.
 */
export type CardIssuingEvent =
  | { [T in CardIssuingCardStatusEventType]: CardIssuingEventOf<T, CardIssuingCard> }[CardIssuingCardStatusEventType]
  | CardIssuingEventOf<UnlistedEventType, CardIssuingFields>;

/** One customer's credentials. */
export interface CardIssuingCredentials {
  /**
   * The token in the callback URL you registered (`?token=…`), or sent as the
   * `X-Webhook-Token` header; an array during a rotation (any may match).
   * At least 16 characters: it is all that authenticates these notifications.
   */
  secret: string | readonly string[];
}

/** One customer's route: its `secret` (the callback URL's token). */
export interface CardIssuingOptions<Req = ExpressRequest> extends WebhookOptions<CardIssuingEvent, Req>, CardIssuingCredentials {
  /** Not with `secret`: a route for many customers takes CardIssuingMultiAccountOptions. */
  resolveCredentials?: never;
}

/** Many customers on one route: `resolveCredentials(customer_id, ctx)` gives each one's `{ secret }` (docs/multi-account.md). */
export interface CardIssuingMultiAccountOptions<Req = ExpressRequest> extends WebhookOptions<CardIssuingEvent, Req>, ResolverOptions<CardIssuingCredentials> {}

const WHERE = 'express-payment-webhooks (card-issuing)';
const MIN_SECRET_LENGTH = 16;
const TOKEN_HEADER = 'x-webhook-token';
/** This provider's 401s are about a token, not a signature. */
const TOKEN_REASONS: Partial<Record<string, string>> = { SIGNATURE_MISSING: 'token missing', SIGNATURE_MISMATCH: 'token invalid' };

/**
 * The provider documents no signature. The callback URL is the merchant's to
 * choose, so a secret token in it (or in a header) is what tells a real
 * notification from anyone else's POST.
 */
export function cardIssuingSpec(): ProviderSpec<CardIssuingEvent, SecretCredentials> {
  return {
    provider: 'card-issuing',
    mediaTypes: { 'application/json': 'json' },
    needsRawBody: false,
    ...secretCredentials('card-issuing', assertLongEnough),
    accountField: 'customer_id',
    accountOf: (body) => customerIdOf(body.fields.customer_id),
    authenticate(_body, request, { secrets }) {
      const presented = presentedTokens(request);
      if (presented.length === 0) {
        throw new WebhookError('SIGNATURE_MISSING', 'No token: register the callback URL with ?token=<secret>, or send the X-Webhook-Token header.');
      }
      for (const token of presented) {
        let matched = false;
        for (const secret of secrets) matched = safeEqual(token, secret) || matched;
        if (!matched) throw new WebhookError('SIGNATURE_MISMATCH', 'The token does not match the configured secret.');
      }
      // A token proves who called; it covers no field.
      return [];
    },
    toEvent(body) {
      const envelope = body.fields;
      const notifyId = requiredText(envelope, 'notify_id');
      const event = requiredText(envelope, 'event');
      const customerId = envelope.customer_id;
      if (customerId !== undefined && typeof customerId !== 'number' && typeof customerId !== 'string') {
        throw new WebhookError('BODY_INVALID', 'customer_id must be a number.');
      }
      const eventData = envelope.event_data;
      if (typeof eventData !== 'string') throw new WebhookError('BODY_INVALID', 'event_data must be a string holding a JSON object.');
      let data: CardIssuingFields;
      try {
        // The same parser as for bodies: null-prototype objects, repeated keys refused.
        data = parseJsonObject(eventData);
      } catch {
        throw new WebhookError('BODY_INVALID', 'event_data does not hold a JSON object.');
      }
      return { id: notifyId, type: event, data: data as CardIssuingEvent['data'], envelope: envelope as unknown as CardIssuingEnvelope };
    },
    success: jsonAck(0, 'success'),
    failure: (error) => jsonAck(error.status, TOKEN_REASONS[error.code] ?? shortReason(error)),
  };
}

function assertLongEnough(secrets: readonly string[]): void {
  if (secrets.some((secret) => secret.length < MIN_SECRET_LENGTH)) {
    throw new TypeError(`${WHERE}: secret must be at least ${MIN_SECRET_LENGTH} characters (e.g. 24 random bytes as hex): it is the only thing that authenticates these notifications.`);
  }
}

/**
 * `customer_id` as the account id: a non-empty string, or a whole number
 * JSON carries exactly (documented as a long; one beyond 2^53 could name
 * two customers alike, so it names none).
 */
function customerIdOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

const OPTION_NAMES: OwnOptionNames<CardIssuingOptions> = { secret: true, resolveCredentials: true };

/**
 * The card-issuing route for any server: its options checked at startup (`factory`
 * names the caller in the error), its spec made.
 */
export function checkedCardIssuingSpec(options: CardIssuingOptions<unknown> | CardIssuingMultiAccountOptions<unknown>, factory: string): ProviderSpec<CardIssuingEvent, SecretCredentials> {
  checkMiddlewareOptions('card-issuing', `${factory}({ secret, onEvent })`, options, OPTION_NAMES);
  return cardIssuingSpec();
}

/**
 * `app.post('/notify/cards', createCardIssuingWebhookMiddleware({ secret, onEvent }))`
 * and register `https://you.example/notify/cards?token=<secret>` as the callback:
 * authenticated by the token, deduplicated by `notify_id`, `event_data` decoded,
 * acked with `{"code":0,"message":"success"}` only once `onEvent` resolved.
 */
export function createCardIssuingWebhookMiddleware(options: CardIssuingMultiAccountOptions): WebhookMiddleware;
// Last, so that Parameters<typeof createCardIssuingWebhookMiddleware> stays the single-account options it always was.
export function createCardIssuingWebhookMiddleware(options: CardIssuingOptions): WebhookMiddleware;
export function createCardIssuingWebhookMiddleware(options: CardIssuingOptions | CardIssuingMultiAccountOptions): WebhookMiddleware {
  return toExpressMiddleware(checkedCardIssuingSpec(options, 'createCardIssuingWebhookMiddleware'), options as WebhookOptions<CardIssuingEvent, WebhookRequest>);
}

/** Every token the request presents: each `token` query parameter and the header. */
function presentedTokens(request: ProviderRequest): string[] {
  const query = request.url.indexOf('?');
  const tokens = query === -1 ? [] : new URLSearchParams(request.url.slice(query + 1)).getAll('token');
  const header = request.headers[TOKEN_HEADER];
  if (typeof header === 'string') tokens.push(header);
  return tokens;
}
