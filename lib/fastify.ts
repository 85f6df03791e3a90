/**
 * The Fastify plugin of each provider:
 * `app.register(createPay247WebhookHandler({ secret, onEvent }), { path: '/webhooks/pay247' })`.
 * `ctx.req` is the FastifyRequest. Requires fastify (a peer dependency).
 */
import type { FastifyRequest } from 'fastify';
import { toFastifyPlugin, type FastifyWebhookPlugin } from './adapters/fastify';
import { checkedPay247Spec, type Pay247Options, type Pay247MultiAccountOptions } from './providers/pay247';
import { checkedSgateSpec, type SgateOptions, type SgateMultiAccountOptions } from './providers/sgate';
import { checkedCardIssuingSpec, type CardIssuingOptions, type CardIssuingMultiAccountOptions } from './providers/card-issuing';
import { checkedPingPongKybSpec, type PingPongKybOptions, type PingPongKybMultiAccountOptions } from './providers/pingpong-kyb';
import { checkedCryptoGatewaySpec, type CryptoGatewayOptions, type CryptoGatewayMultiAccountOptions } from './providers/crypto-gateway';

export { toFastifyPlugin, type FastifyWebhookPlugin, type FastifyWebhookRouteOptions } from './adapters/fastify';

export const createPay247WebhookHandler = (options: Pay247Options<FastifyRequest> | Pay247MultiAccountOptions<FastifyRequest>): FastifyWebhookPlugin => toFastifyPlugin(checkedPay247Spec(options, 'createPay247WebhookHandler'), options);
export const createSgateWebhookHandler = (options: SgateOptions<FastifyRequest> | SgateMultiAccountOptions<FastifyRequest>): FastifyWebhookPlugin => toFastifyPlugin(checkedSgateSpec(options, 'createSgateWebhookHandler'), options);
export const createCardIssuingWebhookHandler = (options: CardIssuingOptions<FastifyRequest> | CardIssuingMultiAccountOptions<FastifyRequest>): FastifyWebhookPlugin => toFastifyPlugin(checkedCardIssuingSpec(options, 'createCardIssuingWebhookHandler'), options);
export const createPingPongKybWebhookHandler = (options: PingPongKybOptions<FastifyRequest> | PingPongKybMultiAccountOptions<FastifyRequest>): FastifyWebhookPlugin => toFastifyPlugin(checkedPingPongKybSpec(options, 'createPingPongKybWebhookHandler'), options);
export const createCryptoGatewayWebhookHandler = (options: CryptoGatewayOptions<FastifyRequest> | CryptoGatewayMultiAccountOptions<FastifyRequest>): FastifyWebhookPlugin => toFastifyPlugin(checkedCryptoGatewaySpec(options, 'createCryptoGatewayWebhookHandler'), options);
