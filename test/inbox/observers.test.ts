/**
 * Observers may be async: an `onInboxEvent` or an `onError` whose promise
 * rejects changes nothing and never becomes an unhandled rejection, with
 * either backend.
 */
import { createPay247WebhookMiddleware } from '../../lib';
import { buildPay247Notification } from '../../lib/testing';
import { until } from '../helpers/async';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { describeWithRedis } from '../helpers/redis-server';
import { listen, post } from '../helpers/server';
import { redisBackend, sqliteBackend, type Backend } from './backends';

const SECRET = 'observer-secret';

function describeObservers(backend: Backend): void {
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => void unhandled.push(reason);
  beforeAll(() => process.on('unhandledRejection', record));
  afterAll(() => void process.off('unhandledRejection', record));
  afterEach(() => backend.closeAll());

  test(`${backend.name}: rejecting async onInboxEvent and onError: stored, retried, delivered; no unhandled rejection`, async () => {
    const seen: string[] = [];
    const inbox = backend.fresh()({
      onInboxEvent: async (report) => {
        seen.push(report.type);
        throw new Error('metrics backend down');
      },
    });
    let calls = 0;
    const errors: string[] = [];
    const app = EXPRESS_VERSIONS[0].create();
    app.post(
      '/n',
      createPay247WebhookMiddleware({
        secret: SECRET,
        inbox,
        onEvent: async () => {
          if (++calls === 1) throw new Error('first attempt fails');
        },
        onError: async (error) => {
          errors.push(error.code);
          throw new Error('log shipper down');
        },
      }),
    );
    const server = await listen(app);
    try {
      const n = buildPay247Notification({ secret: SECRET });
      expect((await post(`${server.url}/n`, n.body, n.headers)).status).toBe(200);
      await until(async () => (await inbox.get(`pay247:${n.fields.order_no}:2`))?.state === 'done');
      await until(() => seen.includes('delivered'));
      // Unhandled rejections are reported after the microtasks of a turn.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen).toEqual(['stored', 'retry', 'delivered']);
      expect(errors).toEqual(['HANDLER_FAILED']);
      expect(unhandled).toEqual([]);
    } finally {
      await server.close();
    }
  });
}

describe('async observers with SqliteInbox', () => {
  const sqlite = sqliteBackend();
  afterAll(() => sqlite.dispose());
  describeObservers(sqlite);
});

describeWithRedis('async observers with RedisInbox', () => {
  const redis = redisBackend();
  beforeAll(() => redis.start());
  afterAll(() => redis.server()?.stop());
  describeObservers(redis);
});
