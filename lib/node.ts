/**
 * The `node:http` request listener of each provider:
 * `http.createServer(createPay247WebhookHandler({ secret, onEvent }))`, or
 * called from your own router for the webhook's path. `ctx.req` is the
 * IncomingMessage.
 */
import type { WebhookRequest } from './core/options';
import { toNodeListener, type NodeWebhookListener } from './adapters/node';
import { pay247Spec, type Pay247Options } from './providers/pay247';
import { sgateSpec, type SgateOptions } from './providers/sgate';
import { cardIssuingSpec, type CardIssuingOptions } from './providers/card-issuing';
import { pingPongKybSpec, type PingPongKybOptions } from './providers/pingpong-kyb';
import { cryptoGatewaySpec, type CryptoGatewayOptions } from './providers/crypto-gateway';

export { toNodeListener, type NodeWebhookListener } from './adapters/node';

export const createPay247WebhookHandler = (options: Pay247Options<WebhookRequest>): NodeWebhookListener => toNodeListener(pay247Spec(options), options);
export const createSgateWebhookHandler = (options: SgateOptions<WebhookRequest>): NodeWebhookListener => toNodeListener(sgateSpec(options), options);
export const createCardIssuingWebhookHandler = (options: CardIssuingOptions<WebhookRequest>): NodeWebhookListener => toNodeListener(cardIssuingSpec(options), options);
export const createPingPongKybWebhookHandler = (options: PingPongKybOptions<WebhookRequest>): NodeWebhookListener => toNodeListener(pingPongKybSpec(options), options);
export const createCryptoGatewayWebhookHandler = (options: CryptoGatewayOptions<WebhookRequest>): NodeWebhookListener => toNodeListener(cryptoGatewaySpec(options), options);
