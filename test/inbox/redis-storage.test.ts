import Redis from 'ioredis';
import { RedisInboxStorage } from '../../lib/inbox/redis-inbox';
import { describeWithRedis, startRedisServer, type RedisServer } from '../helpers/redis-server';
import { describeInboxStorageConformance } from './storage-conformance';
import { describeStorageModel } from './storage-model';

describeWithRedis('RedisInbox storage', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server?.stop());
  let n = 0;

  describeInboxStorageConformance('RedisInbox', async () => {
    // Two clients, two consumer names: what two app instances have. A fresh prefix per test.
    const prefix = `test:${n++}`;
    const clients = [new Redis(server.url), new Redis(server.url)];
    const [a, b] = clients.map((client) => new RedisInboxStorage(client, prefix, true));
    return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
  });

  describeStorageModel(
    'RedisInbox',
    async () => {
      const prefix = `model:${n++}`;
      const clients = [new Redis(server.url), new Redis(server.url)];
      const handles = clients.map((client) => new RedisInboxStorage(client, prefix, true)) as [RedisInboxStorage, RedisInboxStorage];
      const admin = new Redis(server.url);
      const stream = `{${prefix}}:stream:pay247`;
      return {
        handles,
        // A lease here is the message's idle time, measured by Redis: set it past any lease, keeping each message's owner.
        expire: async () => {
          const pending = (await admin.xpending(stream, 'workers', '-', '+', 1000).catch(() => [])) as Array<[string, string]>;
          for (const [id, owner] of pending) await admin.xclaim(stream, 'workers', owner, 0, id, 'IDLE', 100_000_000, 'JUSTID');
        },
        close: async () => {
          await admin.quit();
          await Promise.all(handles.map((h) => h.close()));
        },
      };
    },
    60,
  );

  test('a history write that fails (its key of another type) fails the script before it wrote anything: the attempt is not started', async () => {
    const raw = new Redis(server.url);
    const storage = new RedisInboxStorage(new Redis(server.url), `sabotage:${n++}`, true, 5000);
    try {
      await storage.put('pay247:1', 'pay247', '{}', Date.now());
      const prefix = (storage as unknown as { base: string }).base;
      await raw.set(`${prefix}:attempts:pay247:1`, 'not a list');
      await expect(storage.lease(['pay247'], 1, Date.now(), 10_000)).rejects.toThrow(/WRONGTYPE/);
      expect(await raw.hmget(`${prefix}:entry:pay247:1`, 'attempts', 'lease')).toEqual(['0', null]);
    } finally {
      await raw.quit();
      await storage.close();
    }
  });

  // ioredis prefixes the keys of some commands and not others (XGROUP, XINFO, keys a script builds): all must get it.
  describeInboxStorageConformance('RedisInbox on clients with a keyPrefix', async () => {
    const prefix = `test:${n++}`;
    const keyPrefix = `app${n}:`;
    const clients = [new Redis(server.url, { keyPrefix }), new Redis(server.url, { keyPrefix })];
    const [a, b] = clients.map((client) => new RedisInboxStorage(client, prefix, true));
    return {
      a,
      b,
      close: async () => {
        const raw = new Redis(server.url);
        const keys = await raw.keys(`*{${prefix}}*`);
        await raw.quit();
        await Promise.all([a.close(), b.close()]);
        // Nothing outside the client's prefix: a key without it is one the inbox would never find again.
        expect(keys.filter((key) => !key.startsWith(keyPrefix))).toEqual([]);
      },
    };
  });
});
