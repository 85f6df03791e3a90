/**
 * Attribute and instrument names. Where OpenTelemetry's semantic conventions
 * have a name (HTTP, errors) it is used; the rest is namespaced `webhook.*`.
 * None of them ever carries a secret, a signature, a token, a card field or a
 * body: only the provider, the event's type, id and account, and outcomes.
 */
export const ATTR = {
  provider: 'webhook.provider',
  eventType: 'webhook.event.type',
  eventId: 'webhook.event.id',
  account: 'webhook.account',
  dedupOutcome: 'webhook.dedup.outcome',
  outcome: 'webhook.outcome',
  inboxState: 'webhook.inbox.state',
  attempt: 'webhook.delivery.attempt',
  storeOperation: 'webhook.store.operation',
  errorType: 'error.type',
  httpMethod: 'http.request.method',
  httpStatus: 'http.response.status_code',
} as const;

export const METRIC = {
  notifications: 'webhook.notifications',
  refusals: 'webhook.refusals',
  duplicates: 'webhook.duplicates',
  handlerDuration: 'webhook.handler.duration',
  storeDuration: 'webhook.store.duration',
  deliveryAttempts: 'webhook.inbox.delivery.attempts',
  inboxEntries: 'webhook.inbox.entries',
} as const;

/** What became of one notification: the `webhook.outcome` attribute. */
export type NotificationOutcome =
  /** onEvent resolved: acked. */
  | 'handled'
  /** Already done: acked without running. */
  | 'duplicate'
  /** Another request holds its claim: not acked, the provider retries. */
  | 'in_flight'
  /** Durably stored in the inbox: acked, delivered later. */
  | 'stored'
  /** Refused before the handler (bad request, signature, IP, store down…). */
  | 'refused'
  /** The handler (or confirm) failed or timed out: not acked. */
  | 'failed';

export const SCOPE = 'express-payment-webhooks';
