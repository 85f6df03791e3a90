/**
 * The Koa middleware of each provider:
 * `router.post('/webhooks/pay247', createPay247WebhookHandler({ secret, onEvent }))`.
 * `ctx.req` (the handler's) is the Koa context. Requires koa (a peer dependency).
 */
import type { Context } from 'koa';
import { toKoaMiddleware, type KoaWebhookMiddleware } from './adapters/koa';
import { checkedPay247Spec, type Pay247Options } from './providers/pay247';
import { checkedSgateSpec, type SgateOptions } from './providers/sgate';
import { checkedCardIssuingSpec, type CardIssuingOptions } from './providers/card-issuing';
import { checkedPingPongKybSpec, type PingPongKybOptions } from './providers/pingpong-kyb';
import { checkedCryptoGatewaySpec, type CryptoGatewayOptions } from './providers/crypto-gateway';

export { toKoaMiddleware, type KoaWebhookMiddleware } from './adapters/koa';

export const createPay247WebhookHandler = (options: Pay247Options<Context>): KoaWebhookMiddleware => toKoaMiddleware(checkedPay247Spec(options, 'createPay247WebhookHandler'), options);
export const createSgateWebhookHandler = (options: SgateOptions<Context>): KoaWebhookMiddleware => toKoaMiddleware(checkedSgateSpec(options, 'createSgateWebhookHandler'), options);
export const createCardIssuingWebhookHandler = (options: CardIssuingOptions<Context>): KoaWebhookMiddleware => toKoaMiddleware(checkedCardIssuingSpec(options, 'createCardIssuingWebhookHandler'), options);
export const createPingPongKybWebhookHandler = (options: PingPongKybOptions<Context>): KoaWebhookMiddleware => toKoaMiddleware(checkedPingPongKybSpec(options, 'createPingPongKybWebhookHandler'), options);
export const createCryptoGatewayWebhookHandler = (options: CryptoGatewayOptions<Context>): KoaWebhookMiddleware => toKoaMiddleware(checkedCryptoGatewaySpec(options, 'createCryptoGatewayWebhookHandler'), options);
