/**
 * The middleware on a RedisDedupStore while Redis dies (SIGKILL) and comes
 * back: "not done" while it is down, answered promptly, never an ack for a
 * notification whose handler did not run, and normal service again without
 * restarting the app.
 */
import { createPay247WebhookMiddleware, RedisDedupStore, type WebhookError } from '../../lib';
import { buildPay247Notification, type Notification } from '../../lib/testing';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { describeWithRedis, startRedisServer, type RedisServer } from '../helpers/redis-server';
import { listen, type Running } from '../helpers/server';

const SECRET = 'outage-secret';
// Far above the store's timeoutMs: reaching it means the middleware hung.
const NO_HANG_MS = 5000;

describeWithRedis('RedisDedupStore behind the middleware, Redis killed and restarted', () => {
  describe.each(EXPRESS_VERSIONS)('$name', (express) => {
    let redis: RedisServer;
    let store: RedisDedupStore;
    let server: Running;
    let url: string;
    const handled = new Map<string, number>();
    const errors: WebhookError[] = [];
    let duringHandler: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      redis = await startRedisServer();
      store = new RedisDedupStore({ url: redis.url, timeoutMs: 300 });
      const app = express.create();
      app.post(
        '/notify/pay247',
        createPay247WebhookMiddleware({
          secret: SECRET,
          store,
          onEvent: async (event) => {
            handled.set(event.id, (handled.get(event.id) ?? 0) + 1);
            await duringHandler?.();
          },
          onError: (error) => errors.push(error),
        }),
      );
      server = await listen(app);
      url = `${server.url}/notify/pay247`;
    });

    afterAll(async () => {
      await server.close();
      await store.close();
      await redis.stop();
    });

    const idOf = (n: Notification) => `${n.fields.order_no}:${n.fields.status}`;
    const fresh = () => buildPay247Notification({ secret: SECRET, fields: { status: 2 } });
    async function deliver(n: Notification): Promise<{ status: number; body: string }> {
      const reply = await fetch(url, { method: 'POST', headers: n.headers, body: n.body, signal: AbortSignal.timeout(NO_HANG_MS) });
      return { status: reply.status, body: await reply.text() };
    }

    test('killed mid-run: 503 while down, 200 only for handled notifications, service resumes on its own', async () => {
      const answers: { n: Notification; status: number; body: string; afterKill: boolean }[] = [];
      let killed = false;
      let stop = false;
      const sender = async () => {
        while (!stop) {
          const n = fresh();
          const afterKill = killed;
          answers.push({ n, afterKill, ...(await deliver(n)) });
        }
      };
      const senders = Array.from({ length: 4 }, sender);
      while (answers.length < 20) await new Promise((resolve) => setImmediate(resolve));
      await redis.stop(true);
      killed = true;
      while (answers.filter((a) => a.afterKill).length < 20) await new Promise((resolve) => setImmediate(resolve));
      stop = true;
      await Promise.all(senders);

      for (const { n, status, body } of answers) {
        if (status === 200) {
          expect(body).toBe('SUCCESS');
          expect(handled.get(idOf(n))).toBe(1);
        } else {
          expect({ status, body }).toEqual({ status: 503, body: 'fail' });
          expect(handled.has(idOf(n))).toBe(false);
        }
      }
      const whileDown = answers.filter((a) => a.afterKill);
      expect(whileDown.every((a) => a.status === 503)).toBe(true);
      expect(errors.filter((e) => e.code === 'STORE_UNAVAILABLE').length).toBeGreaterThanOrEqual(whileDown.length);

      await redis.restart();
      let probe = await deliver(fresh());
      for (let i = 0; probe.status !== 200 && i < 100; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        probe = await deliver(fresh());
      }
      expect(probe).toEqual({ status: 200, body: 'SUCCESS' });

      // The provider's retries of what was refused: each handled now, exactly once.
      const refused = answers.filter((a) => a.status === 503).map((a) => a.n);
      for (const n of refused) expect(await deliver(n)).toEqual({ status: 200, body: 'SUCCESS' });
      for (const n of refused) expect(await deliver(n)).toEqual({ status: 200, body: 'SUCCESS' });
      for (const n of refused) expect(handled.get(idOf(n))).toBe(1);
    });

    test('Redis dies after the handler succeeded but before "done" is recorded: acked (the work is done) and reported', async () => {
      const n = fresh();
      errors.length = 0;
      duringHandler = () => redis.stop(true);
      try {
        expect(await deliver(n)).toEqual({ status: 200, body: 'SUCCESS' });
      } finally {
        duringHandler = undefined;
        await redis.restart();
      }
      expect(handled.get(idOf(n))).toBe(1);
      expect(errors).toEqual([expect.objectContaining({ code: 'STORE_UNAVAILABLE', eventId: idOf(n), message: expect.stringMatching(/mark the notification done/) })]);
    });
  });
});
