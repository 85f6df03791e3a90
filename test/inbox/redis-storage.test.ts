import Redis from 'ioredis';
import { RedisInboxStorage } from '../../lib/inbox/redis-inbox';
import { describeWithRedis, startRedisServer, type RedisServer } from '../helpers/redis-server';
import { describeInboxStorageConformance } from './storage-conformance';

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
