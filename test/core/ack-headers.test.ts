/** The ack is sent whole, with its length: no chunked encoding for a 7-byte answer. */
import { createPay247WebhookMiddleware } from '../../lib';
import { buildPay247Notification } from '../../lib/testing';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { listen, post } from '../helpers/server';

describe.each(EXPRESS_VERSIONS)('ack headers on $name', (express) => {
  test('success and failure carry Content-Type and Content-Length, never Transfer-Encoding', async () => {
    const app = express.create();
    app.post('/notify', createPay247WebhookMiddleware({ secret: 'k', onEvent: () => undefined }));
    const server = await listen(app);
    try {
      const n = buildPay247Notification({ secret: 'k' });
      const ok = await post(`${server.url}/notify`, n.body, n.headers);
      const refused = await post(`${server.url}/notify`, n.body.replace('"status":2', '"status":3'), n.headers);
      for (const [reply, body] of [
        [ok, 'SUCCESS'],
        [refused, 'fail'],
      ] as const) {
        expect(reply.body).toBe(body);
        expect(reply.headers.get('content-type')).toBe('text/plain; charset=utf-8');
        expect(reply.headers.get('content-length')).toBe(String(body.length));
        expect(reply.headers.get('transfer-encoding')).toBeNull();
      }
    } finally {
      await server.close();
    }
  });

  test("headers an earlier middleware set are kept; a Content-Type it set gives way to the provider's", async () => {
    const app = express.create();
    app.use((_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
      res.setHeader('X-Request-Id', 'req-1');
      res.setHeader('Content-Type', 'application/json');
      next();
    });
    app.post('/notify', createPay247WebhookMiddleware({ secret: 'k', onEvent: () => undefined }));
    const server = await listen(app);
    try {
      const n = buildPay247Notification({ secret: 'k' });
      const reply = await post(`${server.url}/notify`, n.body, n.headers);
      expect(reply.body).toBe('SUCCESS');
      expect(reply.headers.get('x-request-id')).toBe('req-1');
      expect(reply.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(reply.headers.get('content-length')).toBe('7');
    } finally {
      await server.close();
    }
  });
});
