/**
 * RedisDedupStore and RedisInbox on a real Redis Cluster (three masters),
 * through an ioredis Cluster client: the same conformance suites as on a
 * single Redis.
 */
import { Cluster } from 'ioredis';
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
});
