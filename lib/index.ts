export { WebhookError, type WebhookErrorCode } from './core/errors';
export type { WebhookEvent, AnyWebhookEvent, HandlerContext } from './core/event';
export type { WebhookOptions, WebhookRequest } from './core/options';
export type { ProviderSpec, ParsedBody, ProviderRequest, AckBody, EventDraft } from './core/provider-spec';
export { createWebhookHandler, type RequestFacts, type WebhookHandler } from './core/pipeline';
export type { WebhookMiddleware } from './express';
export type { DedupStore, ClaimState } from './dedup/store';
export { MemoryDedupStore, type MemoryDedupStoreOptions } from './dedup/memory-store';
export {
  createPay247WebhookMiddleware,
  type Pay247Options,
  type Pay247Event,
  type Pay247EventType,
  type Pay247Payout,
  type Pay247Status,
} from './providers/pay247';
export type { Inbox, InboxConsumer, InboxEntry, InboxReport, InboxState, InboxListOptions, InboxPurgeOptions } from './inbox/inbox';
export type { InboxOptions } from './inbox/durable-inbox';
export type { RetryOptions } from './inbox/retry-policy';
export { SqliteInbox, type SqliteInboxOptions } from './inbox/sqlite-inbox';
export { RedisInbox, type RedisInboxOptions } from './inbox/redis-inbox';
