/**
 * RedisInbox and the Redis client it is given or makes: a merchant's client
 * with a keyPrefix works end to end, and a stalled Redis (SIGSTOP) gets the
 * provider a 503 within timeoutMs instead of a request that hangs.
 */
import Redis from 'ioredis';
import { createPay247WebhookMiddleware, RedisInbox, type Pay247Event } from '../../lib';
import { buildPay247Notification } from '../../lib/testing';
import { until } from '../helpers/async';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { describeWithRedis, startRedisServer, type RedisServer } from '../helpers/redis-server';
import { listen, post, type Running } from '../helpers/server';
import { FAST } from './backends';

const SECRET = 'redis-client-secret';

describeWithRedis('RedisInbox and its client', () => {
  let server: RedisServer;
  let admin: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    await admin?.quit();
    await server?.stop();
  });

  const opened: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const thing of opened.splice(0).reverse()) await thing.close();
  });

  async function merchant(inbox: RedisInbox) {
    const events: Pay247Event[] = [];
    const errors: string[] = [];
    const app = EXPRESS_VERSIONS[0].create();
    app.post('/n', createPay247WebhookMiddleware({ secret: SECRET, inbox, onEvent: (event) => void events.push(event), onError: (error) => void errors.push(error.code) }));
    const running: Running = await listen(app);
    opened.push(inbox, running);
    return { events, errors, url: `${running.url}/n` };
  }

  test('a client with a keyPrefix: stored, delivered, listed, replayed and purged, every key under the prefix', async () => {
    const client = new Redis(server.url, { keyPrefix: 'shop:' });
    opened.push({ close: async () => void (await client.quit()) });
    const inbox = new RedisInbox({ ...FAST, client, prefix: 'kp' });
    const m = await merchant(inbox);
    const n = buildPay247Notification({ secret: SECRET });
    expect((await post(m.url, n.body, n.headers)).status).toBe(200);
    await until(() => m.events.length === 1);
    const key = `pay247:${n.fields.order_no}:2`;
    await until(async () => (await inbox.get(key))?.state === 'done');
    expect((await inbox.list({ state: 'done' })).map((e) => e.key)).toEqual([key]);
    expect(await inbox.purge()).toBe(1);
    expect(m.errors).toEqual([]);
    const keys = await admin.keys('*{kp}*');
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((k) => !k.startsWith('shop:'))).toEqual([]);
  });

  test('timeoutMs must be a positive number of milliseconds', () => {
    expect(() => new RedisInbox({ url: server.url, timeoutMs: 0 })).toThrow(/timeoutMs must be a positive number/);
    expect(() => new RedisInbox({ url: server.url, timeoutMs: Number.NaN })).toThrow(/timeoutMs/);
  });

  test('partitions must be a whole number from 1 to 64; a bad one is refused before any connection is made', () => {
    for (const partitions of [0, -1, 1.5, 65, Number.NaN, Infinity, '3' as never]) {
      expect(() => new RedisInbox({ url: server.url, partitions })).toThrow(/partitions must be an integer from 1 to 64/);
    }
  });

  test('Redis stalled (SIGSTOP): the put gives up at timeoutMs, the provider gets 503 and is not acked; resumed, its retry is stored and delivered', async () => {
    const inbox = new RedisInbox({ ...FAST, url: server.url, prefix: 'stall', timeoutMs: 300 });
    const m = await merchant(inbox);
    const n = buildPay247Notification({ secret: SECRET });
    // Connected and the group made, so the stall is what the put meets.
    await until(async () => (await inbox.list()).length === 0);
    const pid = Number(/process_id:(\d+)/.exec(await admin.info('server'))![1]);
    process.kill(pid, 'SIGSTOP');
    // Whatever happens, Redis resumes after 5 s: a call that does hang must fail this test, not every later one.
    const hung = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5000));
    let answer: { status: number; body: string } | 'hung';
    let listed: unknown;
    try {
      answer = await Promise.race([post(m.url, n.body, n.headers), hung]);
      listed = await Promise.race([
        inbox.list().then(
          () => 'answered',
          (error: Error) => error.message,
        ),
        hung,
      ]);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(answer).toMatchObject({ status: 503, body: 'fail' });
    expect(m.errors).toContain('INBOX_UNAVAILABLE');
    expect(listed).toMatch(/did not answer .* within 300 ms/);
    await until(async () => (await post(m.url, n.body, n.headers)).status === 200, 50);
    await until(() => m.events.length === 1);
    expect(m.events[0].id).toBe(`${n.fields.order_no}:2`);
  });
});
