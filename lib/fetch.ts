/**
 * The Fetch API handler of each provider, `(request: Request) => Promise<Response>`:
 * a Next.js App Router route (`export const POST = createPay247WebhookHandler({ … })`),
 * Hono (`(c) => handler(c.req.raw)`), Bun, Deno. `ctx.req` is the Request.
 */
import { toFetchHandler, type FetchWebhookHandler, type FetchAdapterOptions } from './adapters/fetch';
import { checkedPay247Spec, type Pay247Options, type Pay247MultiAccountOptions } from './providers/pay247';
import { checkedSgateSpec, type SgateOptions, type SgateMultiAccountOptions } from './providers/sgate';
import { checkedCardIssuingSpec, type CardIssuingOptions, type CardIssuingMultiAccountOptions } from './providers/card-issuing';
import { checkedPingPongKybSpec, type PingPongKybOptions, type PingPongKybMultiAccountOptions } from './providers/pingpong-kyb';
import { checkedCryptoGatewaySpec, type CryptoGatewayOptions, type CryptoGatewayMultiAccountOptions } from './providers/crypto-gateway';

export { toFetchHandler, type FetchWebhookHandler, type FetchAdapterOptions } from './adapters/fetch';

export const createPay247WebhookHandler = (options: Pay247Options<Request> | Pay247MultiAccountOptions<Request>, adapter?: FetchAdapterOptions): FetchWebhookHandler => toFetchHandler(checkedPay247Spec(options, 'createPay247WebhookHandler'), options, adapter);
export const createSgateWebhookHandler = (options: SgateOptions<Request> | SgateMultiAccountOptions<Request>, adapter?: FetchAdapterOptions): FetchWebhookHandler => toFetchHandler(checkedSgateSpec(options, 'createSgateWebhookHandler'), options, adapter);
export const createCardIssuingWebhookHandler = (options: CardIssuingOptions<Request> | CardIssuingMultiAccountOptions<Request>, adapter?: FetchAdapterOptions): FetchWebhookHandler => toFetchHandler(checkedCardIssuingSpec(options, 'createCardIssuingWebhookHandler'), options, adapter);
export const createPingPongKybWebhookHandler = (options: PingPongKybOptions<Request> | PingPongKybMultiAccountOptions<Request>, adapter?: FetchAdapterOptions): FetchWebhookHandler => toFetchHandler(checkedPingPongKybSpec(options, 'createPingPongKybWebhookHandler'), options, adapter);
export const createCryptoGatewayWebhookHandler = (options: CryptoGatewayOptions<Request> | CryptoGatewayMultiAccountOptions<Request>, adapter?: FetchAdapterOptions): FetchWebhookHandler => toFetchHandler(checkedCryptoGatewaySpec(options, 'createCryptoGatewayWebhookHandler'), options, adapter);
