import type { PostgresClient } from '../postgres/types';

/** What a merchant's `onEvent` receives, whatever the provider. */
export interface WebhookEvent<P extends string = string, T extends string = string, D = unknown> {
  provider: P;
  /** The dedup key: the same notification delivered again has the same id. */
  id: string;
  type: T;
  /** The provider's fields as sent: strings stay strings ("100.0000" stays "100.0000"). */
  data: D;
  /** Top-level fields the provider's signature covers ([] where nothing is signed). */
  signedFields: readonly string[];
  receivedAt: Date;
  /**
   * With `resolveCredentials`: the merchant account the notification named
   * and whose credentials verified it. Undefined with static credentials.
   */
  account?: string;
}

/** Any provider's event; used where the pipeline does not care which. */
export type AnyWebhookEvent = WebhookEvent<string, string, unknown>;

export interface HandlerContext<Req = unknown> {
  /**
   * Aborted when `handlerTimeoutMs` passes: the provider has been told "not done".
   * Made on first read (a getter): use `ctx.signal` or destructure; `{ ...ctx }` does not copy it.
   */
  signal: AbortSignal;
  /**
   * The framework's request object (Express: `req`). Undefined when the event
   * comes from the inbox (option `inbox`): that request was answered before
   * your handler ran, and the inbox keeps the event, not the request.
   */
  req: Req | undefined;
  /**
   * With `transactional: true`: the connection of the transaction the
   * handler runs in (a `pg.PoolClient`). Write through it, and those writes
   * commit together with "this notification was handled", or not at all.
   * Valid only until the handler settles. Undefined otherwise.
   */
  db?: PostgresClient;
}

declare const unlisted: unique symbol;

/**
 * The `type` of a provider's open fallback event: a tag this version does not
 * list, as the provider sent it. At run time it is that string; for the type
 * checker it is a string that is none of the listed tags, so that
 * `switch (event.type)` and `event.type === 'listed.tag'` narrow `event.data`
 * to the listed event (with plain `string` every literal would also match the
 * fallback). It is assignable to `string`; to compare it with a tag the
 * package does not list, compare it as one: `(event.type as string) === 'x'`.
 */
export type UnlistedEventType = `${string & { readonly [unlisted]: true }}`;

/**
 * The `type` values of an event union that name one specific event, leaving
 * out an open fallback's (`UnlistedEventType`, or a plain `string`).
 */
export type KnownEventType<E extends AnyWebhookEvent> = E extends AnyWebhookEvent
  ? string extends E['type']
    ? never
    : E['type'] extends UnlistedEventType
      ? never
      : E['type']
  : never;

/**
 * Narrows an event union to one event type, `data` included; the same as
 * `event.type === type`, as a function (in `filter`, say). Only the listed
 * types are accepted, so a misspelt one does not compile.
 */
export function isEventType<E extends AnyWebhookEvent, T extends KnownEventType<E>>(event: E, type: T): event is Extract<E, { type: T }> {
  return event.type === type;
}
