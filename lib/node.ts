/**
 * The `node:http` request listener of each provider:
 * `http.createServer(createPay247WebhookHandler({ secret, onEvent }))`, or
 * called from your own router for the webhook's path. `ctx.req` is the
 * IncomingMessage.
 */
import type { WebhookRequest } from './core/options';
import { toNodeListener, type NodeWebhookListener } from './adapters/node';
import { checkedPay247Spec, type Pay247Options, type Pay247MultiAccountOptions } from './providers/pay247';
import { checkedSgateSpec, type SgateOptions, type SgateMultiAccountOptions } from './providers/sgate';
import { checkedCardIssuingSpec, type CardIssuingOptions, type CardIssuingMultiAccountOptions } from './providers/card-issuing';
import { checkedPingPongKybSpec, type PingPongKybOptions, type PingPongKybMultiAccountOptions } from './providers/pingpong-kyb';
import { checkedCryptoGatewaySpec, type CryptoGatewayOptions, type CryptoGatewayMultiAccountOptions } from './providers/crypto-gateway';

export { toNodeListener, type NodeWebhookListener } from './adapters/node';

export const createPay247WebhookHandler = (options: Pay247Options<WebhookRequest> | Pay247MultiAccountOptions<WebhookRequest>): NodeWebhookListener => toNodeListener(checkedPay247Spec(options, 'createPay247WebhookHandler'), options);
export const createSgateWebhookHandler = (options: SgateOptions<WebhookRequest> | SgateMultiAccountOptions<WebhookRequest>): NodeWebhookListener => toNodeListener(checkedSgateSpec(options, 'createSgateWebhookHandler'), options);
export const createCardIssuingWebhookHandler = (options: CardIssuingOptions<WebhookRequest> | CardIssuingMultiAccountOptions<WebhookRequest>): NodeWebhookListener => toNodeListener(checkedCardIssuingSpec(options, 'createCardIssuingWebhookHandler'), options);
export const createPingPongKybWebhookHandler = (options: PingPongKybOptions<WebhookRequest> | PingPongKybMultiAccountOptions<WebhookRequest>): NodeWebhookListener => toNodeListener(checkedPingPongKybSpec(options, 'createPingPongKybWebhookHandler'), options);
export const createCryptoGatewayWebhookHandler = (options: CryptoGatewayOptions<WebhookRequest> | CryptoGatewayMultiAccountOptions<WebhookRequest>): NodeWebhookListener => toNodeListener(checkedCryptoGatewaySpec(options, 'createCryptoGatewayWebhookHandler'), options);
