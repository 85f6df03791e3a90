/**
 * The Fetch API handler of each provider, `(request: Request) => Promise<Response>`:
 * a Next.js App Router route (`export const POST = createPay247WebhookHandler({ … })`),
 * Hono (`(c) => handler(c.req.raw)`), Bun, Deno. `ctx.req` is the Request.
 */
import { toFetchHandler, type FetchWebhookHandler, type FetchAdapterOptions } from './adapters/fetch';
import { pay247Spec, type Pay247Options } from './providers/pay247';
import { sgateSpec, type SgateOptions } from './providers/sgate';
import { cardIssuingSpec, type CardIssuingOptions } from './providers/card-issuing';
import { pingPongKybSpec, type PingPongKybOptions } from './providers/pingpong-kyb';
import { cryptoGatewaySpec, type CryptoGatewayOptions } from './providers/crypto-gateway';

export { toFetchHandler, type FetchWebhookHandler, type FetchAdapterOptions } from './adapters/fetch';

export const createPay247WebhookHandler = (options: Pay247Options<Request>, adapter?: FetchAdapterOptions): FetchWebhookHandler => toFetchHandler(pay247Spec(options), options, adapter);
export const createSgateWebhookHandler = (options: SgateOptions<Request>, adapter?: FetchAdapterOptions): FetchWebhookHandler => toFetchHandler(sgateSpec(options), options, adapter);
export const createCardIssuingWebhookHandler = (options: CardIssuingOptions<Request>, adapter?: FetchAdapterOptions): FetchWebhookHandler => toFetchHandler(cardIssuingSpec(options), options, adapter);
export const createPingPongKybWebhookHandler = (options: PingPongKybOptions<Request>, adapter?: FetchAdapterOptions): FetchWebhookHandler => toFetchHandler(pingPongKybSpec(options), options, adapter);
export const createCryptoGatewayWebhookHandler = (options: CryptoGatewayOptions<Request>, adapter?: FetchAdapterOptions): FetchWebhookHandler => toFetchHandler(cryptoGatewaySpec(options), options, adapter);
