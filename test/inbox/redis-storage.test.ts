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

  describe.each([1, 3])('with %i partition(s)', (partitions) => {
    describeStorageModel(
      'RedisInbox',
      async () => {
        const prefix = `model:${n++}`;
        const clients = [new Redis(server.url), new Redis(server.url)];
        const handles = clients.map((client) => new RedisInboxStorage(client, prefix, true, 1000, partitions)) as [RedisInboxStorage, RedisInboxStorage];
        const admin = new Redis(server.url);
        const streams = Array.from({ length: partitions }, (_, i) => `{${i === 0 ? prefix : `${prefix}#${i}`}}:stream:pay247`);
        return {
          handles,
          // A lease here is the message's idle time, measured by Redis: set it past any lease, keeping each message's owner.
          expire: async () => {
            for (const stream of streams) {
              const pending = (await admin.xpending(stream, 'workers', '-', '+', 1000).catch(() => [])) as Array<[string, string]>;
              for (const [id, owner] of pending) await admin.xclaim(stream, 'workers', owner, 0, id, 'IDLE', 100_000_000, 'JUSTID');
            }
          },
          close: async () => {
            await admin.quit();
            await Promise.all(handles.map((h) => h.close()));
          },
        };
      },
      60,
    );
  });

  describeInboxStorageConformance('RedisInbox with 3 partitions', async () => {
    const prefix = `parts:${n++}`;
    const clients = [new Redis(server.url), new Redis(server.url)];
    const [a, b] = clients.map((client) => new RedisInboxStorage(client, prefix, true, 1000, 3));
    return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
  });

  test('partitions: 1 is the layout of an inbox without partitions (one hash tag, {prefix}); 3 spread the entries over three tags', async () => {
    const raw = new Redis(server.url);
    const event = JSON.stringify({ provider: 'pay247', id: 'x', type: 'payout.succeeded', data: {}, signedFields: [], receivedAt: new Date(0).toISOString() });
    const keys = Array.from({ length: 30 }, (_, i) => `pay247:${i}`);
    const tagsOf = async (prefix: string) => new Set((await raw.keys(`{${prefix}*`)).map((key) => key.slice(0, key.indexOf('}') + 1)));
    try {
      for (const partitions of [1, 3]) {
        const prefix = `layout:${n++}`;
        const storage = new RedisInboxStorage(new Redis(server.url), prefix, true, 1000, partitions);
        for (const key of keys) await storage.put(key, 'pay247', event, 1);
        const expected = partitions === 1 ? [`{${prefix}}`] : [`{${prefix}}`, `{${prefix}#1}`, `{${prefix}#2}`];
        expect([...(await tagsOf(prefix))].sort()).toEqual(expected.sort());
        if (partitions === 1) expect(await raw.hget(`{${prefix}}:entry:pay247:7`, 'state')).toBe('pending');
        // Merged across partitions, oldest first (all stored at 1: then by key).
        expect((await storage.list({ limit: 100 })).map((entry) => entry.key)).toEqual([...keys].sort());
        expect(await storage.counts()).toEqual([{ provider: 'pay247', state: 'pending', count: 30 }]);
        await storage.close();
      }
    } finally {
      await raw.quit();
    }
  });

  test('a history write that fails (its key of another type) fails the script before it wrote anything: the attempt is not started', async () => {
    const raw = new Redis(server.url);
    const storage = new RedisInboxStorage(new Redis(server.url), `sabotage:${n++}`, true, 5000);
    try {
      await storage.put('pay247:1', 'pay247', '{}', Date.now());
      const prefix = (storage as unknown as { partitions: Array<{ base: string }> }).partitions[0].base;
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

  describe('puts made in one turn of the event loop', () => {
    const event = (id: string) =>
      JSON.stringify({ provider: 'pay247', id, type: 'payout.succeeded', data: {}, signedFields: [], receivedAt: new Date(0).toISOString() });
    afterEach(() => jest.restoreAllMocks());

    test('go to Redis in one write, each with its own answer: a key put twice in one batch is stored once', async () => {
      const client = new Redis(server.url);
      const storage = new RedisInboxStorage(client, `batch:${n++}`, true);
      // Loads the script, so no NOSCRIPT fallback adds writes below.
      await storage.put('pay247:warm', 'pay247', event('warm'), 1);
      const socket = (client as unknown as { stream: object }).stream;
      const write = jest.spyOn(socket as never, '_write' as never);
      const writev = jest.spyOn(socket as never, '_writev' as never);
      try {
        const keys = ['pay247:1', 'pay247:2', 'pay247:1', 'pay247:3'];
        const results = await Promise.all(keys.map((key) => storage.put(key, 'pay247', event(key), 2)));
        expect(results).toEqual(['stored', 'stored', 'duplicate', 'stored']);
        expect(write.mock.calls.length + writev.mock.calls.length).toBe(1);
        expect((await storage.list({})).map((entry) => entry.key)).toEqual(['pay247:warm', 'pay247:1', 'pay247:2', 'pay247:3']);
      } finally {
        await storage.close();
      }
    });

    test('an absurd timeoutMs (beyond what a timer takes) means "wait", not "fail at once"', async () => {
      const storage = new RedisInboxStorage(new Redis(server.url), `batch:${n++}`, true, 2 ** 40);
      try {
        expect(await storage.put('pay247:1', 'pay247', event('1'), 1)).toBe('stored');
      } finally {
        await storage.close();
      }
    });
  });
});
