/**
 * Fastify: the webhook route keeps the raw body whatever content-type
 * parsers the app registered (its own JSON parser, a form parser, a
 * catch-all), and the route's pass-through parser does not leak to the
 * app's other routes.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { createPay247WebhookHandler } from '../../lib/fastify';
import { buildPay247Notification } from '../../lib/testing';
import { post } from '../helpers/server';

const SECRET = 'fastify-secret';
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(setup: (app: FastifyInstance) => void) {
  app = Fastify({ forceCloseConnections: true });
  const seen: unknown[] = [];
  const requests: unknown[] = [];
  setup(app);
  app.post('/other', async (request) => ({ got: request.body }));
  await app.register(
    createPay247WebhookHandler({
      secret: SECRET,
      onEvent: (event, ctx) => {
        seen.push(event);
        requests.push(ctx.req?.url);
      },
    }),
    { prefix: '/webhooks', path: '/pay247' },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { seen, requests, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

const parsers: Array<[string, (app: FastifyInstance) => void]> = [
  ["Fastify's default JSON parser", () => undefined],
  [
    'a JSON parser of the app that keeps nothing of the text',
    (app) => {
      app.removeContentTypeParser('application/json');
      app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, { replaced: JSON.parse(String(body)) }));
    },
  ],
  [
    'a catch-all parser of the app that consumes everything',
    (app) => app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, { swallowed: true })),
  ],
];

test.each(parsers)('with %s: the webhook sees the exact bytes, the other routes keep their parser', async (_name, setup) => {
  const { seen, requests, url } = await serve(setup);
  const n = buildPay247Notification({ secret: SECRET });
  expect(await post(`${url}/webhooks/pay247`, n.body, n.headers)).toMatchObject({ status: 200, body: 'SUCCESS' });
  // Only the raw text shows a repeated key: proof no parser of the app's ran for the webhook.
  const repeated = buildPay247Notification({ secret: SECRET });
  expect((await post(`${url}/webhooks/pay247`, repeated.body.replace('{', '{"remarks":"x",'), repeated.headers)).status).toBe(400);
  expect(seen).toHaveLength(1);
  expect(requests).toEqual(['/webhooks/pay247']);
  const other = await post(`${url}/other`, '{"a":1}', { 'content-type': 'application/json' });
  expect(other.status).toBe(200);
  expect(JSON.parse(other.body).got).not.toBeUndefined();
});

test('a content type Fastify has no parser for reaches the webhook, which answers 415 itself', async () => {
  const { url } = await serve(() => undefined);
  const n = buildPay247Notification({ secret: SECRET });
  expect(await post(`${url}/webhooks/pay247`, n.body, { ...n.headers, 'content-type': 'application/x-unknown' })).toMatchObject({ status: 415, body: 'fail' });
});

test.each([
  ['application/json', 200],
  ['application/json; charset=utf-8', 200],
  ['Application/JSON; Charset="UTF-8"', 200],
  ['application/json; charset=gbk', 415],
  ['text/plain', 415],
])('Content-Type %s, sent twice: the webhook reads the exact bytes both times and answers %i itself', async (contentType, status) => {
  const { seen, url } = await serve(() => undefined);
  // Twice: the second request takes whatever Fastify kept from the first.
  for (const order of ['first', 'second']) {
    const n = buildPay247Notification({ secret: SECRET, fields: { out_order_no: `CT-${order}` } });
    const repeated = n.body.replace('{', '{"remarks":"x",');
    expect(await post(`${url}/webhooks/pay247`, n.body, { ...n.headers, 'content-type': contentType })).toMatchObject({ status, body: status === 200 ? 'SUCCESS' : 'fail' });
    // A repeated key shows only in the raw text: refused only if the webhook read the bytes itself.
    expect((await post(`${url}/webhooks/pay247`, repeated, { ...n.headers, 'content-type': contentType })).status).toBe(status === 200 ? 400 : 415);
  }
  expect(seen).toHaveLength(status === 200 ? 2 : 0);
});

test('the form type, with or without a charset, reaches the webhook unparsed', async () => {
  const { seen, url } = await serve((app) => app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, _body, done) => done(null, { swallowed: true })));
  for (const contentType of ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8']) {
    const n = buildPay247Notification({ secret: SECRET, format: 'form', fields: { out_order_no: `FORM-${contentType.length}` } });
    expect(await post(`${url}/webhooks/pay247`, n.body, { ...n.headers, 'content-type': contentType })).toMatchObject({ status: 200, body: 'SUCCESS' });
  }
  expect(seen).toHaveLength(2);
});
