/**
 * The Fastify plugin of each provider:
 * `app.register(createPay247WebhookHandler({ secret, onEvent }), { path: '/webhooks/pay247' })`.
 * `ctx.req` is the FastifyRequest. Requires fastify (a peer dependency).
 */
import type { FastifyRequest } from 'fastify';
import { toFastifyPlugin, type FastifyWebhookPlugin } from './adapters/fastify';
import { pay247Spec, type Pay247Options } from './providers/pay247';
import { sgateSpec, type SgateOptions } from './providers/sgate';
import { cardIssuingSpec, type CardIssuingOptions } from './providers/card-issuing';
import { pingPongKybSpec, type PingPongKybOptions } from './providers/pingpong-kyb';
import { cryptoGatewaySpec, type CryptoGatewayOptions } from './providers/crypto-gateway';

export { toFastifyPlugin, type FastifyWebhookPlugin, type FastifyWebhookRouteOptions } from './adapters/fastify';

export const createPay247WebhookHandler = (options: Pay247Options<FastifyRequest>): FastifyWebhookPlugin => toFastifyPlugin(pay247Spec(options), options);
export const createSgateWebhookHandler = (options: SgateOptions<FastifyRequest>): FastifyWebhookPlugin => toFastifyPlugin(sgateSpec(options), options);
export const createCardIssuingWebhookHandler = (options: CardIssuingOptions<FastifyRequest>): FastifyWebhookPlugin => toFastifyPlugin(cardIssuingSpec(options), options);
export const createPingPongKybWebhookHandler = (options: PingPongKybOptions<FastifyRequest>): FastifyWebhookPlugin => toFastifyPlugin(pingPongKybSpec(options), options);
export const createCryptoGatewayWebhookHandler = (options: CryptoGatewayOptions<FastifyRequest>): FastifyWebhookPlugin => toFastifyPlugin(cryptoGatewaySpec(options), options);
