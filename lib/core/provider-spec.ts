import type { IncomingHttpHeaders } from 'node:http';
import type { BodyFormat, MediaTypes } from '../body/content-type';
import type { Fields } from '../body/fields';
import type { WebhookError } from './errors';
import type { AnyWebhookEvent } from './event';

/** What a provider's authentication may look at besides the body. */
export interface ProviderRequest {
  headers: IncomingHttpHeaders;
  /** The path and query the request arrived at (Express: `req.originalUrl`). */
  url: string;
}

export interface ParsedBody {
  format: BodyFormat;
  /**
   * The body text exactly as received; undefined when another middleware had
   * already parsed the body and left no `req.rawBody`.
   */
  text: string | undefined;
  /** The parsed fields: null-prototype objects, no repeated or reserved keys. */
  fields: Fields;
}

/** The body and content type of an answer; the status comes from the outcome. */
export interface AckBody {
  contentType: string;
  body: string;
}

/**
 * The part of an event a provider derives from the body: `id`, `type`, `data`,
 * and any properties the provider's event type adds (e.g. an `envelope`).
 * `type` is the provider's tag as sent, a plain string: the tag is what makes
 * the event one member of the union or another (a tag the union does not
 * list makes it the open fallback, typed `UnlistedEventType`).
 */
export type EventDraft<E extends AnyWebhookEvent> = Omit<E, 'provider' | 'signedFields' | 'receivedAt' | 'type' | 'account'> & { type: string };

/**
 * Everything that makes one provider different, as data and small functions.
 * The pipeline (read, parse, authenticate, dedup, handler, ack) is shared.
 */
export interface ProviderSpec<E extends AnyWebhookEvent, C = unknown> {
  provider: E['provider'];
  /** The Content-Types the provider sends; anything else is a 415. */
  mediaTypes: MediaTypes;
  /**
   * True when the signature covers the raw body text, so a body that another
   * parser already consumed cannot be verified (and is a configuration error).
   */
  needsRawBody: boolean;
  /**
   * The options that hold the static credentials: what `resolveCredentials`
   * returns instead, per account. The four credential members are optional
   * so that a spec written before them still works (with its own
   * credentials, and without `resolveCredentials`).
   */
  credentialOptions?: readonly string[];
  /**
   * Checks and prepares credentials (parses keys, checks secret lists):
   * the static options once at construction, or a `resolveCredentials`
   * result once per lookup. Throws a TypeError naming what is wrong.
   */
  credentials?(raw: object): C;
  /** Where the notification names its account, in words (for messages and docs). */
  accountField?: string;
  /** The account the request names, read before anything is verified; undefined when it names none. */
  accountOf?(body: ParsedBody, request: ProviderRequest): string | undefined;
  /** Throws a 401 WebhookError unless the request is authentic under `credentials`; returns the fields the check covered. */
  authenticate(body: ParsedBody, request: ProviderRequest, credentials: C): readonly string[];
  /** Throws a 400 WebhookError (BODY_INVALID) when the fields are not a notification of this provider. */
  toEvent(body: ParsedBody, credentials: C): EventDraft<E>;
  /** The answer that makes the provider stop retrying. Always sent with HTTP 200. */
  success: AckBody;
  /** The answer to anything not done; sent with the error's status. */
  failure(error: WebhookError): AckBody;
}
