/**
 * Where the middleware is mounted: with `app.use` (no path, or a path), a
 * request that cannot be a notification (not a POST) goes on to the app's
 * other routes; as a plain Node listener there is nowhere to go, so 405.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPay247WebhookMiddleware } from '../../lib';
import { buildPay247Notification } from '../../lib/testing';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { post } from '../helpers/server';
import { webhookApps } from '../helpers/webhook-app';

const SECRET = 'mount-secret';

describe.each(EXPRESS_VERSIONS)('mounted with app.use on $name', (express) => {
  const start = webhookApps();

  test('GET /health and any other non-POST reach the routes after it; POSTs are still handled', async () => {
    const app = await start((r) => createPay247WebhookMiddleware({ secret: SECRET, ...r.options }), {
      express,
      mount: 'use',
      setup: (app) => app.get('/orders', (_req: unknown, res: any) => res.json(['kept'])),
    });
    expect((await fetch(`${app.origin}/orders`)).status).toBe(200);
    expect(await (await fetch(`${app.origin}/orders`)).json()).toEqual(['kept']);
    expect((await fetch(`${app.origin}/health`, { method: 'GET' })).status).toBe(404);
    expect((await fetch(`${app.origin}/health`, { method: 'HEAD' })).status).toBe(404);
    expect(app.lines).toEqual([]);

    const n = buildPay247Notification({ secret: SECRET });
    expect(await post(`${app.origin}/anything`, n.body, n.headers)).toMatchObject({ status: 200, body: 'SUCCESS' });
    expect(app.events).toHaveLength(1);
  });
});

test.each(EXPRESS_VERSIONS)('on $name, a route declared after app.use(middleware) answers its GET', async (express) => {
  const app = express.create();
  app.use(createPay247WebhookMiddleware({ secret: SECRET, logger: false, onEvent: () => undefined }));
  app.get('/health', (_req, res) => {
    res.send('ok');
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const reply = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/health`);
    expect(reply.status).toBe(200);
    expect(await reply.text()).toBe('ok');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('as a plain Node listener (no next), a GET is answered 405 with Allow: POST', async () => {
  const server = createServer(createPay247WebhookMiddleware({ secret: SECRET, logger: false, onEvent: () => undefined }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const reply = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`);
    expect(reply.status).toBe(405);
    expect(reply.headers.get('allow')).toBe('POST');
    expect(await reply.text()).toBe('fail');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
