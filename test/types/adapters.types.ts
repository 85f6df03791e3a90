// Type-level checks, compiled by `npm run typecheck` and test/types/types.test.ts:
// ctx.req (and onError's req) is each server's own request object, and no other.
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { Context } from 'koa';
import * as fastifyAdapter from '../../lib/fastify';
import * as fetchAdapter from '../../lib/fetch';
import * as koaAdapter from '../../lib/koa';
import * as nodeAdapter from '../../lib/node';

export const fetchHandler = fetchAdapter.createPay247WebhookHandler({
  secret: 'k',
  onEvent: (_event, ctx) => {
    const request: Request | undefined = ctx.req;
    // @ts-expect-error a Fetch Request has no Node socket
    void ctx.req?.socket;
    return request?.headers.get('user-agent');
  },
  onError: (_error, req) => void req?.url,
});

export const nodeListener = nodeAdapter.createSgateWebhookHandler({
  publicKey: 'k',
  apiKey: 'a',
  onEvent: (_event, ctx) => {
    const request: IncomingMessage | undefined = ctx.req;
    // @ts-expect-error a plain node:http request has no Express get()
    void ctx.req?.get('user-agent');
    return request?.socket.remoteAddress;
  },
});

export const koaMiddleware = koaAdapter.createCardIssuingWebhookHandler({
  secret: 'k',
  onEvent: (_event, ctx) => {
    const context: Context | undefined = ctx.req;
    return context?.state;
  },
});

export const fastifyPlugin = fastifyAdapter.createCryptoGatewayWebhookHandler({
  secret: 'k',
  onEvent: (_event, ctx) => {
    const request: FastifyRequest | undefined = ctx.req;
    // @ts-expect-error a FastifyRequest is not a Koa context
    void ctx.req?.state;
    return request?.routeOptions.url;
  },
});

// PingPong KYB's options are the same on every server.
export const pingpong = fetchAdapter.createPingPongKybWebhookHandler({ secret: 's', acceptUnsignedStatus: true, onEvent: () => undefined });
