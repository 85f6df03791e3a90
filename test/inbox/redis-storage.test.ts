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
});
