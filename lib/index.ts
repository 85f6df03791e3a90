export { WebhookError, type WebhookErrorCode } from './core/errors';
export type { WebhookEvent, AnyWebhookEvent, HandlerContext } from './core/event';
export type { WebhookOptions, WebhookRequest } from './core/options';
export type { WebhookLogger } from './core/log';
export type { CredentialsContext, CredentialsResolver, ResolverOptions } from './core/credentials';
export type { ProviderSpec, ParsedBody, ProviderRequest, AckBody, EventDraft } from './core/provider-spec';
export { createWebhookHandler, type WebhookHandler } from './core/pipeline';
export type { RequestFacts, ReceivedBody, BodyReading } from './core/request-facts';
export type { WebhookAnswer } from './core/answer';
export type { ExpressRequest, WebhookMiddleware } from './express';
export type { DedupStore, ClaimState } from './dedup/store';
export { MemoryDedupStore, type MemoryDedupStoreOptions } from './dedup/memory-store';
export { RedisDedupStore, type RedisDedupStoreOptions } from './dedup/redis-store';
export { PostgresDedupStore, type PostgresDedupStoreOptions } from './dedup/postgres-store';
export type { ExclusiveDedupStore, ExclusiveOutcome } from './dedup/exclusive';
export type { PostgresClient, PostgresPool, PostgresPoolClient, PostgresQueryResult } from './postgres/types';
export type { PostgresConnectionOptions } from './postgres/connection';
export { postgresSchemaSql, type PostgresSchemaOptions } from './postgres/schema';
export {
  createPay247WebhookMiddleware,
  type Pay247Options,
  type Pay247MultiAccountOptions,
  type Pay247RouteOptions,
  type Pay247Credentials,
  type Pay247Event,
  type Pay247EventType,
  type Pay247Payout,
  type Pay247Status,
  type Pay247CurrentPayout,
  type Pay247Payin,
  type Pay247PayoutStatus,
  type Pay247PayinStatus,
  type Pay247Notification,
} from './providers/pay247';
export { isEventType, type KnownEventType, type UnlistedEventType } from './core/event';
export type { JsonValue } from './body/fields';
export type { RsaKeyInput } from './signing/rsa-keys';
export {
  createSgateWebhookMiddleware,
  type SgateOptions,
  type SgateMultiAccountOptions,
  type SgateRouteOptions,
  type SgateCredentials,
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
  type CardIssuingMultiAccountOptions,
  type CardIssuingCredentials,
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
  type PingPongKybMultiAccountOptions,
  type PingPongKybRouteOptions,
  type PingPongKybCredentials,
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
  type PingPongKybSigningForm,
} from './providers/pingpong-kyb';
export {
  createCryptoGatewayWebhookMiddleware,
  type CryptoGatewayOptions,
  type CryptoGatewayMultiAccountOptions,
  type CryptoGatewayCredentials,
  type CryptoGatewayEvent,
  type CryptoGatewayNotification,
  type CryptoGatewayRecharge,
  type CryptoGatewayTransfer,
  type CryptoGatewayOther,
} from './providers/crypto-gateway';
export type { Inbox, InboxAttemptOutcome, InboxConsumer, InboxCount, InboxEntry, InboxHistoryRecord, InboxReport, InboxState, InboxListOptions, InboxPurgeOptions } from './inbox/inbox';
export type { InboxOptions } from './inbox/durable-inbox';
export type { RetryOptions } from './inbox/retry-policy';
export { SqliteInbox, type SqliteInboxOptions } from './inbox/sqlite-inbox';
export { RedisInbox, type RedisInboxOptions } from './inbox/redis-inbox';
export { createInboxDashboard, type InboxDashboard, type InboxDashboardOptions, type DashboardInbox, type DashboardLogger, type DashboardAccess, type DashboardAuthorize, type DashboardDenial } from './dashboard';
export { PostgresInbox, type PostgresInboxOptions } from './inbox/postgres-inbox';
