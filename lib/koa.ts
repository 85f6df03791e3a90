/**
 * The Koa middleware of each provider:
 * `router.post('/webhooks/pay247', createPay247WebhookHandler({ secret, onEvent }))`.
 * `ctx.req` (the handler's) is the Koa context. Requires koa (a peer dependency).
 */
import type { Context } from 'koa';
import { toKoaMiddleware, type KoaWebhookMiddleware } from './adapters/koa';
import { pay247Spec, type Pay247Options } from './providers/pay247';
import { sgateSpec, type SgateOptions } from './providers/sgate';
import { cardIssuingSpec, type CardIssuingOptions } from './providers/card-issuing';
import { pingPongKybSpec, type PingPongKybOptions } from './providers/pingpong-kyb';
import { cryptoGatewaySpec, type CryptoGatewayOptions } from './providers/crypto-gateway';

export { toKoaMiddleware, type KoaWebhookMiddleware } from './adapters/koa';

export const createPay247WebhookHandler = (options: Pay247Options<Context>): KoaWebhookMiddleware => toKoaMiddleware(pay247Spec(options), options);
export const createSgateWebhookHandler = (options: SgateOptions<Context>): KoaWebhookMiddleware => toKoaMiddleware(sgateSpec(options), options);
export const createCardIssuingWebhookHandler = (options: CardIssuingOptions<Context>): KoaWebhookMiddleware => toKoaMiddleware(cardIssuingSpec(options), options);
export const createPingPongKybWebhookHandler = (options: PingPongKybOptions<Context>): KoaWebhookMiddleware => toKoaMiddleware(pingPongKybSpec(options), options);
export const createCryptoGatewayWebhookHandler = (options: CryptoGatewayOptions<Context>): KoaWebhookMiddleware => toKoaMiddleware(cryptoGatewaySpec(options), options);
