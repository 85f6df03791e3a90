/**
 * Koa with a body parser that ran first, under the rules a global
 * express.json() follows: koa-bodyparser's `ctx.request.rawBody` is the exact
 * text (so even raw-body signatures verify); a parser that kept only fields
 * leaves them for field-signed providers, and a CONFIGURATION answer naming
 * the fix for SGATE, which signs the bytes.
 */
import { generateKeyPairSync } from 'node:crypto';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { Router } from '@koa/router';
import type { WebhookError } from '../../lib';
import { createPay247WebhookHandler, createSgateWebhookHandler } from '../../lib/koa';
import { buildPay247Notification, buildSgateNotification } from '../../lib/testing';
import { listen, post, type Running } from '../helpers/server';

const SECRET = 'koa-secret';
const system = generateKeyPairSync('rsa', { modulusLength: 2048 });
const SYSTEM_PUBLIC_KEY = system.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const API_KEY = 'sgate-api-key';

let server: Running | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A parser that reads the whole body and keeps only the parsed fields, as many do. */
const fieldsOnlyParser: Koa.Middleware = async (ctx, next) => {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
  (ctx.request as { body?: unknown }).body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  await next();
};

async function serve(first: Koa.Middleware, routes: (router: Router, seen: unknown[], errors: WebhookError[]) => void) {
  const app = new Koa();
  const router = new Router();
  const seen: unknown[] = [];
  const errors: WebhookError[] = [];
  app.use(first);
  routes(router, seen, errors);
  app.use(router.routes());
  server = await listen(app.callback());
  return { seen, errors, url: server.url };
}

test('koa-bodyparser ran first: Pay247 is verified from ctx.request.rawBody, the exact text', async () => {
  const { seen, url } = await serve(bodyParser(), (router, seen) =>
    router.post('/pay247', createPay247WebhookHandler({ secret: SECRET, onEvent: (event) => void seen.push(event) })),
  );
  const n = buildPay247Notification({ secret: SECRET });
  expect(await post(`${url}/pay247`, n.body, n.headers)).toMatchObject({ status: 200, body: 'SUCCESS' });
  // A repeated key is only visible in the text, never in parsed fields: proof the raw text was used.
  const repeated = buildPay247Notification({ secret: SECRET });
  expect((await post(`${url}/pay247`, repeated.body.replace('{', '{"remarks":"x",'), repeated.headers)).status).toBe(400);
  expect(seen).toHaveLength(1);
});

test('koa-bodyparser ran first: SGATE, which signs the raw body, still verifies from rawBody', async () => {
  const { seen, errors, url } = await serve(bodyParser(), (router, seen, errors) =>
    router.post(
      '/sgate',
      createSgateWebhookHandler({ publicKey: SYSTEM_PUBLIC_KEY, apiKey: API_KEY, onEvent: (event) => void seen.push(event), onError: (e) => errors.push(e) }),
    ),
  );
  const n = buildSgateNotification({ privateKey: system.privateKey, apiKey: API_KEY, url: '/sgate' });
  expect((await post(`${url}/sgate`, n.body, n.headers)).status).toBe(200);
  expect(seen).toHaveLength(1);
  expect(errors).toEqual([]);
});

test('a parser that kept only the fields: Pay247 (field-signed) verifies them, a forgery is still refused', async () => {
  const { seen, url } = await serve(fieldsOnlyParser, (router, seen) =>
    router.post('/pay247', createPay247WebhookHandler({ secret: SECRET, onEvent: (event) => void seen.push(event) })),
  );
  const n = buildPay247Notification({ secret: SECRET });
  expect(await post(`${url}/pay247`, n.body, n.headers)).toMatchObject({ status: 200, body: 'SUCCESS' });
  const forged = buildPay247Notification({ secret: SECRET });
  expect((await post(`${url}/pay247`, forged.body.replace('100.0000', '900.0000'), forged.headers)).status).toBe(401);
  expect(seen).toHaveLength(1);
});

test('a parser that kept only the fields: SGATE gets a CONFIGURATION answer at once, the error naming the fix', async () => {
  const { seen, errors, url } = await serve(fieldsOnlyParser, (router, seen, errors) =>
    router.post(
      '/sgate',
      createSgateWebhookHandler({ publicKey: SYSTEM_PUBLIC_KEY, apiKey: API_KEY, onEvent: (event) => void seen.push(event), onError: (e) => errors.push(e) }),
    ),
  );
  const n = buildSgateNotification({ privateKey: system.privateKey, apiKey: API_KEY, url: '/sgate' });
  const reply = await post(`${url}/sgate`, n.body, n.headers);
  // The usual failure ack for whoever calls the URL; the fix is in the error (and the log line).
  expect(reply).toMatchObject({ status: 500, body: '{"code":500,"message":"configuration"}' });
  expect(errors.map((e) => [e.code, e.message])).toEqual([['CONFIGURATION', expect.stringMatching(/ctx\.request\.rawBody/)]]);
  expect(seen).toHaveLength(0);
});

test('the handler gets the Koa context as ctx.req, and middlewares before it still run', async () => {
  const reqs: unknown[] = [];
  const { url } = await serve(
    async (ctx, next) => {
      ctx.state.tenant = 't1';
      ctx.set('X-Request-Id', 'r1');
      await next();
    },
    (router) => router.post('/pay247', createPay247WebhookHandler({ secret: SECRET, onEvent: (_event, ctx) => void reqs.push(ctx.req?.state.tenant) })),
  );
  const n = buildPay247Notification({ secret: SECRET });
  const reply = await post(`${url}/pay247`, n.body, n.headers);
  expect(reply.status).toBe(200);
  expect(reply.headers.get('x-request-id')).toBe('r1');
  expect(reply.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  expect(reqs).toEqual(['t1']);
});
