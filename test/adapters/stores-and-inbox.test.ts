/**
 * Dedup stores and inbox mode through every server: one store shared by all
 * six servers treats a notification as one, whichever server it reaches; an
 * inbox acks at once and delivers later, the same on each.
 */
import { RedisDedupStore, type DedupStore, type WebhookError } from '../../lib';
import { buildPay247Notification } from '../../lib/testing';
import { SERVER_ADAPTERS } from '../helpers/adapters';
import { deferred, until } from '../helpers/async';
import { describeWithRedis, startRedisServer, type RedisServer } from '../helpers/redis-server';
import { post, type Running } from '../helpers/server';
import { redisBackend, sqliteBackend, type Backend } from '../inbox/backends';

const SECRET = 'stores-secret';
const PATH = '/notify/pay247';
const servers: Running[] = [];
afterEach(async () => void (await Promise.all(servers.splice(0).map((server) => server.close()))));

async function serveAll(options: Record<string, unknown>): Promise<string[]> {
  for (const adapter of SERVER_ADAPTERS) servers.push(await adapter.serve({ stem: 'Pay247', options: { secret: SECRET, ...options }, path: PATH }));
  return servers.map((server) => `${server.url}${PATH}`);
}

describeWithRedis('one RedisDedupStore shared by every server', () => {
  let redis: RedisServer;
  let store: RedisDedupStore;
  beforeAll(async () => {
    redis = await startRedisServer();
    store = new RedisDedupStore({ url: redis.url, keyPrefix: `adapters:${Date.now()}:` });
  });
  afterAll(async () => {
    await store.close();
    await redis.stop();
  });

  test('while one server runs the handler, every other answers 503; once done, every one acks without a rerun', async () => {
    const gate = deferred();
    const started = deferred();
    let calls = 0;
    const errors: WebhookError[] = [];
    const urls = await serveAll({
      store: store as DedupStore,
      onEvent: async () => {
        calls++;
        started.resolve();
        await gate.promise;
      },
      onError: (error: WebhookError) => errors.push(error),
    });
    const n = buildPay247Notification({ secret: SECRET });
    const first = post(urls[0], n.body, n.headers);
    await started.promise;
    for (const url of urls.slice(1)) expect(await post(url, n.body, n.headers)).toMatchObject({ status: 503, body: 'fail' });
    gate.resolve();
    expect((await first).status).toBe(200);
    for (const url of urls) expect(await post(url, n.body, n.headers)).toMatchObject({ status: 200, body: 'SUCCESS' });
    expect(calls).toBe(1);
    expect(errors.map((e) => e.code)).toEqual(Array(urls.length - 1).fill('IN_FLIGHT'));
  });
});

function describeInbox(backend: Backend): void {
  describe.each(SERVER_ADAPTERS)(`${backend.name} through $name`, (adapter) => {
    afterEach(() => backend.closeAll());

    test('acked before the handler ran, delivered later with ctx.req undefined; a redelivery is acked, not run again', async () => {
      const inbox = backend.fresh()();
      const gate = deferred();
      const delivered: Array<{ id: string; req: unknown }> = [];
      const server = await adapter.serve({
        stem: 'Pay247',
        path: PATH,
        options: {
          secret: SECRET,
          inbox,
          onEvent: async (event: { id: string }, ctx: { req: unknown }) => {
            await gate.promise;
            delivered.push({ id: event.id, req: ctx.req });
          },
        },
      });
      servers.push(server);
      const n = buildPay247Notification({ secret: SECRET });
      expect(await post(`${server.url}${PATH}`, n.body, n.headers)).toMatchObject({ status: 200, body: 'SUCCESS' });
      expect(delivered).toHaveLength(0);
      gate.resolve();
      await until(() => delivered.length === 1);
      expect(await post(`${server.url}${PATH}`, n.body, n.headers)).toMatchObject({ status: 200, body: 'SUCCESS' });
      expect(delivered).toEqual([{ id: expect.any(String), req: undefined }]);
    });
  });
}

describe('inbox mode with SQLite', () => {
  const sqlite = sqliteBackend();
  afterAll(() => sqlite.dispose());
  describeInbox(sqlite);
});

describeWithRedis('inbox mode with Redis', () => {
  const redis = redisBackend();
  beforeAll(() => redis.start());
  afterAll(() => redis.server()?.stop());
  describeInbox(redis);
});
