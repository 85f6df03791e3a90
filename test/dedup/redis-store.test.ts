import { Redis } from 'ioredis';
import { RedisDedupStore } from '../../lib';
import { describeWithRedis, startRedisServer, type RedisServer } from '../helpers/redis-server';
import { sleep } from '../helpers/async';
import { describeDedupStoreConformance } from './conformance';
import { CLAIM } from '../../lib/dedup/redis-scripts';
import { ScriptBatch } from '../../lib/redis/script-batch';

describeWithRedis('RedisDedupStore', () => {
  let redis: RedisServer;
  let admin: Redis;
  const opened: { close(): Promise<unknown> | void }[] = [];
  const track = <T extends { close(): Promise<unknown> | void }>(thing: T): T => {
    opened.push(thing);
    return thing;
  };

  beforeAll(async () => {
    redis = await startRedisServer();
    admin = new Redis(redis.url);
  });

  afterAll(async () => {
    for (const thing of opened.reverse()) await thing.close();
    admin.disconnect();
    await redis.stop();
  });

  let urlStore: RedisDedupStore | undefined;
  describeDedupStoreConformance('RedisDedupStore ({ url })', () => (urlStore ??= track(new RedisDedupStore({ url: redis.url }))));

  let clientStore: RedisDedupStore | undefined;
  describeDedupStoreConformance('RedisDedupStore ({ client })', () => {
    if (clientStore === undefined) {
      const client = new Redis(redis.url);
      track({ close: () => void client.disconnect() });
      clientStore = new RedisDedupStore({ client, keyPrefix: 'merchant:' });
    }
    return clientStore;
  });

  describe('on the server', () => {
    let store: RedisDedupStore;
    beforeAll(() => {
      store = track(new RedisDedupStore({ url: redis.url, keyPrefix: 'shop-a:' }));
    });

    test('one key under keyPrefix: a lock with the lock TTL, then a done marker with the done TTL', async () => {
      await store.claim('pay247:1', 30_000, 'tok');
      expect(await admin.get('shop-a:pay247:1')).toBe('lock:tok');
      const lockTtl = await admin.pttl('shop-a:pay247:1');
      expect(lockTtl).toBeGreaterThan(0);
      expect(lockTtl).toBeLessThanOrEqual(30_000);

      const threeDays = 3 * 24 * 60 * 60 * 1000;
      await store.complete('pay247:1', threeDays, 'tok');
      expect(await admin.get('shop-a:pay247:1')).toBe('done');
      expect(await admin.pttl('shop-a:pay247:1')).toBeGreaterThan(threeDays - 60_000);
    });

    test('a token that reads "done" is still a lock, never mistaken for the done marker', async () => {
      expect(await store.claim('pay247:2', 10_000, 'done')).toBe('claimed');
      expect(await store.claim('pay247:2', 10_000, 'other')).toBe('in-flight');
    });

    test('prefixes keep stores apart on one Redis', async () => {
      const other = track(new RedisDedupStore({ url: redis.url, keyPrefix: 'shop-b:' }));
      await store.claim('pay247:3', 10_000, 'a');
      await store.complete('pay247:3', 10_000, 'a');
      expect(await other.claim('pay247:3', 10_000, 'b')).toBe('claimed');
    });

    test('fractional TTLs are rounded up to whole milliseconds', async () => {
      expect(await store.claim('pay247:4', 1500.5, 'a')).toBe('claimed');
      expect(await admin.pttl('shop-a:pay247:4')).toBeGreaterThan(1000);
    });

    test('works after the server forgets its scripts (SCRIPT FLUSH, as after a restart)', async () => {
      await admin.script('FLUSH');
      expect(await store.claim('pay247:5', 10_000, 'a')).toBe('claimed');
      await admin.script('FLUSH');
      await store.complete('pay247:5', 10_000, 'a');
      await admin.script('FLUSH');
      expect(await store.claim('pay247:5', 10_000, 'b')).toBe('done');
    });
  });

  describe('calls made in one turn of the event loop go to Redis in one write', () => {
    let client: Redis;
    let store: RedisDedupStore;
    beforeAll(() => {
      client = new Redis(redis.url);
      track({ close: () => void client.disconnect() });
      store = new RedisDedupStore({ client, keyPrefix: 'batch:' });
    });
    afterEach(() => jest.restoreAllMocks());

    /** The socket writes ioredis makes: corked, a batch leaves in one _writev; uncorked, one _write per command. */
    function countWrites(): { writes: () => number } {
      const socket = (client as unknown as { stream: { _write: unknown; _writev: unknown } }).stream;
      const write = jest.spyOn(socket as never, '_write' as never);
      const writev = jest.spyOn(socket as never, '_writev' as never);
      return { writes: () => write.mock.calls.length + writev.mock.calls.length };
    }

    test('one write for the turn, each call its own answer, in order: a key claimed twice in one batch is in-flight the second time', async () => {
      // The scripts are loaded first, so no NOSCRIPT fallback adds writes below.
      await store.claim('warm-up', 10_000, 't');
      await store.renew('warm-up', 10_000, 't');
      await store.complete('warm-up', 10_000, 't');
      await store.release('warm-up', 't');
      const socket = countWrites();
      const keys = ['b:1', 'b:2', 'b:1', 'b:3', 'b:2'];
      const states = await Promise.all(keys.map((key, i) => store.claim(key, 10_000, `t${i}`)));
      expect(states).toEqual(['claimed', 'claimed', 'in-flight', 'claimed', 'in-flight']);
      expect(socket.writes()).toBe(1);
      expect(await admin.get('batch:b:1')).toBe('lock:t0');
      expect(await admin.get('batch:b:2')).toBe('lock:t1');

      const renewed = await Promise.all([store.complete('b:1', 10_000, 't0'), store.release('b:2', 't1'), store.renew('b:3', 10_000, 'not-ours'), store.renew('b:3', 20_000, 't3')]);
      expect(renewed.slice(2)).toEqual([false, true]);
      expect(socket.writes()).toBe(2);
      expect(await admin.pttl('batch:b:3')).toBeGreaterThan(10_000);
      expect(await admin.get('batch:b:1')).toBe('done');
      expect(await admin.exists('batch:b:2')).toBe(0);
      expect(await admin.get('batch:b:3')).toBe('lock:t3');
    });

    test('after SCRIPT FLUSH every call of a batch still gets its answer', async () => {
      await admin.script('FLUSH');
      const states = await Promise.all(['f:1', 'f:2', 'f:1'].map((key, i) => store.claim(key, 10_000, `t${i}`)));
      expect(states).toEqual(['claimed', 'claimed', 'in-flight']);
    });

    test('one call failing in Redis fails alone; the rest of its batch is answered', async () => {
      await admin.rpush('batch:wrong-type', 'x');
      const outcomes = await Promise.allSettled(['ok:1', 'wrong-type', 'ok:2'].map((key) => store.claim(key, 10_000, 't')));
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason.message).toMatch(/WRONGTYPE/);
    });

    test('a client without a single socket (a Redis Cluster client) gets each call sent as it is', async () => {
      const sent: unknown[][] = [];
      const socketless = { evalsha: async (...args: unknown[]) => sent.push(args) } as unknown as Redis;
      const batch = new ScriptBatch(socketless, () => new Error('late'));
      expect(await Promise.all(['c:1', 'c:2'].map((key) => batch.run(CLAIM, [key], ['lock:t', 10_000])))).toEqual([1, 2]);
      expect(sent).toEqual([
        [CLAIM.sha1, 1, 'c:1', 'lock:t', 10_000],
        [CLAIM.sha1, 1, 'c:2', 'lock:t', 10_000],
      ]);
    });

    test('a client that throws instead of rejecting fails the calls of the batch, not the process', async () => {
      const broken = Object.create(client) as Redis;
      Object.defineProperty(broken, 'stream', {
        value: {
          cork: () => {
            throw new Error('no corking here');
          },
        },
      });
      const batch = new ScriptBatch(broken, () => new Error('late'));
      const outcomes = await Promise.allSettled(['x:1', 'x:2'].map((key) => batch.run(CLAIM, [`batch:${key}`], ['lock:t', 10_000])));
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
      expect((outcomes[0] as PromiseRejectedResult).reason.message).toBe('no corking here');
    });

    test('a call whose deadline passed before its batch left is not sent at all', async () => {
      const batch = new ScriptBatch(client, () => new Error('deadline passed'));
      const late = batch.run(CLAIM, ['batch:late'], ['lock:t', 10_000], Date.now() - 1);
      const onTime = batch.run(CLAIM, ['batch:on-time'], ['lock:t', 10_000], Date.now() + 60_000);
      await expect(late).rejects.toThrow(/deadline passed/);
      expect(await onTime).toBe('claimed');
      expect(await admin.exists('batch:late')).toBe(0);
    });
  });

  describe('clients', () => {
    test('close() closes a client the store created from url', async () => {
      const store = new RedisDedupStore({ url: redis.url });
      expect(await store.claim('c:1', 1000, 'a')).toBe('claimed');
      await store.close();
      await expect(store.claim('c:2', 1000, 'a')).rejects.toThrow(/closed/);
      await store.close(); // twice is harmless
    });

    test('close() leaves a client the merchant passed in open', async () => {
      const client = new Redis(redis.url);
      try {
        const store = new RedisDedupStore({ client });
        expect(await store.claim('c:3', 1000, 'a')).toBe('claimed');
        await store.close();
        expect(await client.ping()).toBe('PONG');
        expect(await store.claim('c:3', 1000, 'b')).toBe('in-flight');
      } finally {
        client.disconnect();
      }
    });

    test('a lazyConnect client is connected by its first use', async () => {
      const client = new Redis(redis.url, { lazyConnect: true });
      try {
        expect(client.status).toBe('wait');
        expect(await new RedisDedupStore({ client }).claim('c:4', 1000, 'a')).toBe('claimed');
      } finally {
        client.disconnect();
      }
    });

    test('the first calls wait (bounded) for the initial connection instead of failing', async () => {
      const store = track(new RedisDedupStore({ url: redis.url }));
      const states = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claim(`c:5:${i}`, 1000, 'a')));
      expect(states).toEqual(Array(20).fill('claimed'));
    });

    test('rejects options it cannot use', () => {
      expect(() => new RedisDedupStore({})).toThrow(/url or client is missing: give url: /);
      expect(() => new RedisDedupStore({ url: redis.url, client: admin })).toThrow(/either url or client/);
      expect(() => new RedisDedupStore({ url: '' })).toThrow(/url/);
      expect(() => new RedisDedupStore({ client: {} as Redis })).toThrow(/ioredis client/);
      expect(() => new RedisDedupStore({ url: redis.url, timeoutMs: 0 })).toThrow(/timeoutMs/);
      expect(() => new RedisDedupStore({ url: redis.url, keyPrefix: 1 as never })).toThrow(/keyPrefix/);
      expect(() => new RedisDedupStore(undefined as never)).toThrow(/required/);
    });
  });

  describe('when Redis is unreachable or slow, every call fails within timeoutMs', () => {
    test('nothing listening: the store rejects instead of queueing', async () => {
      const dead = await startRedisServer();
      const { url } = dead;
      await dead.stop();
      const store = track(new RedisDedupStore({ url, timeoutMs: 300 }));
      await expect(store.claim('u:1', 1000, 'a')).rejects.toBeInstanceOf(Error);
      await expect(store.complete('u:1', 1000, 'a')).rejects.toBeInstanceOf(Error);
      await expect(store.release('u:1', 'a')).rejects.toBeInstanceOf(Error);
    });

    test("a merchant's client with ioredis defaults (offline queue, 20 retries) is bounded too", async () => {
      const dead = await startRedisServer();
      const { url } = dead;
      await dead.stop();
      const client = new Redis(url, { disconnectTimeout: 50 });
      client.on('error', () => {});
      try {
        const store = new RedisDedupStore({ client, timeoutMs: 300 });
        await expect(store.claim('u:2', 1000, 'a')).rejects.toBeInstanceOf(Error);
        await sleep(50);
        await expect(store.claim('u:2', 1000, 'a')).rejects.toBeInstanceOf(Error);
      } finally {
        client.disconnect();
      }
    });

    test('a server that stops answering: the call times out; once it answers again, calls succeed', async () => {
      const store = track(new RedisDedupStore({ url: redis.url, timeoutMs: 200 }));
      expect(await store.claim('s:1', 10_000, 'a')).toBe('claimed');
      await admin.call('CLIENT', 'PAUSE', '10000', 'WRITE');
      try {
        await expect(store.claim('s:2', 10_000, 'b')).rejects.toThrow(/did not answer in time/);
      } finally {
        await admin.call('CLIENT', 'UNPAUSE');
      }
      expect(await store.claim('s:3', 10_000, 'c')).toBe('claimed');
      // The timed-out claim may still reach Redis late: it then only holds a lock
      // (retries see in-flight until lockTtl), never a done marker.
      expect(await store.claim('s:2', 10_000, 'd')).not.toBe('done');
    });
  });

  test('a batch Redis does not answer: every call in it fails at its deadline, and calls succeed again after', async () => {
    const store = track(new RedisDedupStore({ url: redis.url, timeoutMs: 200 }));
    expect(await store.claim('sb:0', 10_000, 'a')).toBe('claimed');
    await admin.call('CLIENT', 'PAUSE', '10000', 'WRITE');
    const started = Date.now();
    try {
      const outcomes = await Promise.allSettled(['sb:1', 'sb:2', 'sb:3'].map((key) => store.claim(key, 10_000, 'b')));
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
      for (const outcome of outcomes) expect((outcome as PromiseRejectedResult).reason.message).toMatch(/did not answer in time/);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
    }
    expect(await store.claim('sb:4', 10_000, 'c')).toBe('claimed');
  });

  describe('Redis killed and restarted', () => {
    test('calls fail fast while it is down and succeed again without a new store', async () => {
      const own = await startRedisServer();
      const store = new RedisDedupStore({ url: own.url, timeoutMs: 300 });
      const client = new Redis(own.url, { disconnectTimeout: 50 });
      client.on('error', () => {});
      const merchantStore = new RedisDedupStore({ client, timeoutMs: 300 });
      try {
        expect(await store.claim('k:1', 10_000, 'a')).toBe('claimed');
        expect(await merchantStore.claim('k:2', 10_000, 'a')).toBe('claimed');
        await own.stop(true);
        for (const s of [store, merchantStore]) {
          await expect(s.claim('k:3', 10_000, 'b')).rejects.toBeInstanceOf(Error);
          await expect(s.complete('k:1', 10_000, 'a')).rejects.toBeInstanceOf(Error);
        }
        await own.restart();
        for (const s of [store, merchantStore]) expect(await eventually(() => s.claim('k:4', 10_000, 'c'))).toMatch(/claimed|in-flight/);
        expect(await store.claim('k:5', 10_000, 'd')).toBe('claimed');
        await store.complete('k:5', 10_000, 'd');
        expect(await merchantStore.claim('k:5', 10_000, 'e')).toBe('done');
      } finally {
        await store.close();
        client.disconnect();
        await own.stop();
      }
    });
  });
});

/** Retries a call until it resolves (the client reconnects on its own schedule). */
async function eventually<T>(call: () => Promise<T>, attempts = 100): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (error) {
      if (i >= attempts) throw error;
      await sleep(50);
    }
  }
}
