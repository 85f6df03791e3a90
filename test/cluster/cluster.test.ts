/**
 * RedisDedupStore and RedisInbox on a real Redis Cluster (three masters),
 * through an ioredis Cluster client: the same conformance suites as on a
 * single Redis.
 */
import Redis, { Cluster } from 'ioredis';
import { RedisDedupStore } from '../../lib';
import { RedisInboxStorage } from '../../lib/inbox/redis-inbox';
import { describeDedupStoreConformance } from '../dedup/conformance';
import { redisClusterAvailable, startRedisCluster, type RedisCluster } from '../helpers/redis-cluster';
import { describeInboxStorageConformance } from '../inbox/storage-conformance';

const describeWithCluster = redisClusterAvailable() ? describe : describe.skip;

describeWithCluster('on a Redis Cluster', () => {
  let cluster: RedisCluster;
  const clients: Cluster[] = [];
  const connect = () => {
    const client = new Cluster(cluster.startupNodes);
    clients.push(client);
    return client;
  };
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit().catch(() => undefined)));
    await cluster?.stop();
  });

  let store: RedisDedupStore | undefined;
  describeDedupStoreConformance('RedisDedupStore (Cluster client)', () => (store ??= new RedisDedupStore({ client: connect() as never })));

  let n = 0;
  describeInboxStorageConformance('RedisInbox (Cluster client)', async () => {
    const prefix = `cluster:${n++}`;
    // Not owned: the clients are quit once, after every test.
    const [a, b] = [connect(), connect()].map((client) => new RedisInboxStorage(client as never, prefix, false));
    return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
  });

  describeInboxStorageConformance('RedisInbox with 3 partitions (Cluster client)', async () => {
    const prefix = `cluster:${n++}`;
    const [a, b] = [connect(), connect()].map((client) => new RedisInboxStorage(client as never, prefix, false, 1000, 3));
    return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
  });

  test('with 3 partitions the entries really land on several masters, and list, counts and delivery see them all', async () => {
    // A prefix whose three hash tags are served by three different masters.
    const prefix = Array.from({ length: 200 }, (_, i) => `spread:${i}`).find(
      (candidate) => new Set([`{${candidate}}`, `{${candidate}#1}`, `{${candidate}#2}`].map((tag) => cluster.nodeFor(tag).port)).size === 3,
    )!;
    const storage = new RedisInboxStorage(connect() as never, prefix, false, 1000, 3);
    const event = JSON.stringify({ provider: 'pay247', id: 'x', type: 'payout.succeeded', data: {}, signedFields: [], receivedAt: new Date(0).toISOString() });
    const keys = Array.from({ length: 30 }, (_, i) => `pay247:${String(i).padStart(2, '0')}`);
    for (const [i, key] of keys.entries()) expect(await storage.put(key, 'pay247', event, 1000 + i)).toBe('stored');

    const masters = new Set<number>();
    for (const node of cluster.nodes) {
      const raw = new Redis(node.port);
      const found = (await raw.keys(`{${prefix}*}:entry:*`)).length;
      await raw.quit();
      if (found > 0) masters.add(node.port);
    }
    expect(masters.size).toBe(3);
    expect((await storage.list({})).map((entry) => entry.key)).toEqual(keys);
    expect(await storage.counts()).toEqual([{ provider: 'pay247', state: 'pending', count: 30 }]);
    const leased = await storage.lease(['pay247'], 100, 2000, 30_000);
    expect(leased.map((entry) => entry.key).sort()).toEqual(keys);
    for (const entry of leased) expect(await storage.complete(entry, 3000)).toBe(true);
    expect(await storage.counts()).toEqual([{ provider: 'pay247', state: 'done', count: 30 }]);
    expect(await storage.lease(['pay247'], 100, 4000, 30_000)).toEqual([]);
  });
});
