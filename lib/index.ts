export { WebhookError, type WebhookErrorCode } from './core/errors';
export type { WebhookEvent, AnyWebhookEvent, HandlerContext } from './core/event';
export type { WebhookOptions, WebhookRequest } from './core/options';
export type { ProviderSpec, ParsedBody, ProviderRequest, AckBody, EventDraft } from './core/provider-spec';
export { createWebhookHandler, type WebhookHandler } from './core/pipeline';
export type { RequestFacts, ReceivedBody, BodyReading } from './core/request-facts';
export type { WebhookAnswer } from './core/answer';
export type { WebhookMiddleware } from './express';
export type { DedupStore, ClaimState } from './dedup/store';
export { MemoryDedupStore, type MemoryDedupStoreOptions } from './dedup/memory-store';
export { RedisDedupStore, type RedisDedupStoreOptions } from './dedup/redis-store';
export {
  createPay247WebhookMiddleware,
  type Pay247Options,
  type Pay247Event,
  type Pay247EventType,
  type Pay247Payout,
  type Pay247Status,
} from './providers/pay247';
export { isEventType, type KnownEventType } from './core/event';
export type { JsonValue } from './body/fields';
export type { RsaKeyInput } from './signing/rsa-keys';
export {
  createSgateWebhookMiddleware,
  type SgateOptions,
  type SgateEvent,
  type SgateEventOf,
  type SgateKnownEventType,
  type SgateEnvelope,
  type SgateCustomer,
  type SgatePayoutOrder,
  type SgateTransfer,
  type SgateFields,
} from './providers/sgate';
export {
  createCardIssuingWebhookMiddleware,
  type CardIssuingOptions,
  type CardIssuingEvent,
  type CardIssuingEventOf,
  type CardIssuingCardStatusEventType,
  type CardIssuingCard,
  type CardIssuingEnvelope,
  type CardIssuingFields,
} from './providers/card-issuing';
export {
  createPingPongKybWebhookMiddleware,
  PINGPONG_SENDER_IPS,
  type PingPongKybOptions,
  type PingPongKybEvent,
  type PingPongKybNotification,
  type PingPongKycReview,
  type PingPongStoreReview,
  type PingPongOtherReview,
  type PingPongKybStatus,
  type PingPongReviewDetail,
  type PingPongPartReview,
  type PingPongAdditionalInfoReview,
  type PingPongPersonReview,
} from './providers/pingpong-kyb';
export {
  createCryptoGatewayWebhookMiddleware,
  type CryptoGatewayOptions,
  type CryptoGatewayEvent,
  type CryptoGatewayNotification,
  type CryptoGatewayRecharge,
  type CryptoGatewayTransfer,
  type CryptoGatewayOther,
} from './providers/crypto-gateway';
export type { Inbox, InboxConsumer, InboxEntry, InboxReport, InboxState, InboxListOptions, InboxPurgeOptions } from './inbox/inbox';
export type { InboxOptions } from './inbox/durable-inbox';
export type { RetryOptions } from './inbox/retry-policy';
export { SqliteInbox, type SqliteInboxOptions } from './inbox/sqlite-inbox';
export { RedisInbox, type RedisInboxOptions } from './inbox/redis-inbox';
