export { WebhookError, type WebhookErrorCode } from './core/errors';
export type { WebhookEvent, AnyWebhookEvent, HandlerContext } from './core/event';
export type { WebhookOptions, WebhookRequest } from './core/options';
export type { ProviderSpec, ParsedBody, ProviderRequest, AckBody, EventDraft } from './core/provider-spec';
export { createWebhookHandler, type RequestFacts, type WebhookHandler } from './core/pipeline';
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
