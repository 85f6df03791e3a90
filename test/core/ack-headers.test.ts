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
});
