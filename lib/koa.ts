/**
 * The Koa middleware of each provider:
 * `router.post('/webhooks/pay247', createPay247WebhookHandler({ secret, onEvent }))`.
 * `ctx.req` (the handler's) is the Koa context. Requires koa (a peer dependency).
 */
import type { Context } from 'koa';
import { toKoaMiddleware, type KoaWebhookMiddleware } from './adapters/koa';
import { checkedPay247Spec, type Pay247Options, type Pay247MultiAccountOptions } from './providers/pay247';
import { checkedSgateSpec, type SgateOptions, type SgateMultiAccountOptions } from './providers/sgate';
import { checkedCardIssuingSpec, type CardIssuingOptions, type CardIssuingMultiAccountOptions } from './providers/card-issuing';
import { checkedPingPongKybSpec, type PingPongKybOptions, type PingPongKybMultiAccountOptions } from './providers/pingpong-kyb';
import { checkedCryptoGatewaySpec, type CryptoGatewayOptions, type CryptoGatewayMultiAccountOptions } from './providers/crypto-gateway';

export { toKoaMiddleware, type KoaWebhookMiddleware } from './adapters/koa';

export const createPay247WebhookHandler = (options: Pay247Options<Context> | Pay247MultiAccountOptions<Context>): KoaWebhookMiddleware => toKoaMiddleware(checkedPay247Spec(options, 'createPay247WebhookHandler'), options);
export const createSgateWebhookHandler = (options: SgateOptions<Context> | SgateMultiAccountOptions<Context>): KoaWebhookMiddleware => toKoaMiddleware(checkedSgateSpec(options, 'createSgateWebhookHandler'), options);
export const createCardIssuingWebhookHandler = (options: CardIssuingOptions<Context> | CardIssuingMultiAccountOptions<Context>): KoaWebhookMiddleware => toKoaMiddleware(checkedCardIssuingSpec(options, 'createCardIssuingWebhookHandler'), options);
export const createPingPongKybWebhookHandler = (options: PingPongKybOptions<Context> | PingPongKybMultiAccountOptions<Context>): KoaWebhookMiddleware => toKoaMiddleware(checkedPingPongKybSpec(options, 'createPingPongKybWebhookHandler'), options);
export const createCryptoGatewayWebhookHandler = (options: CryptoGatewayOptions<Context> | CryptoGatewayMultiAccountOptions<Context>): KoaWebhookMiddleware => toKoaMiddleware(checkedCryptoGatewaySpec(options, 'createCryptoGatewayWebhookHandler'), options);
