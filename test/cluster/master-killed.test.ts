/**
 * A Redis Cluster master SIGKILLed mid-run, then restarted with its AOF
 * (appendfsync always): the notifications whose keys it serves are answered
 * 503 while it is down (the provider retries them), never acked without
 * being stored; after the restart every acked notification is delivered
 * (inbox) or run (dedup store) exactly once.
 */
import { Cluster } from 'ioredis';
import express from 'express';
import { createPay247WebhookMiddleware, RedisDedupStore, RedisInbox } from '../../lib';
import { buildPay247Notification } from '../../lib/testing';
import { until } from '../helpers/async';
import { redisClusterAvailable, startRedisCluster, type RedisCluster } from '../helpers/redis-cluster';
import { listen, post, type Running } from '../helpers/server';
import { FAST } from '../inbox/backends';

const describeWithCluster = redisClusterAvailable() ? describe : describe.skip;
const SECRET = 'cluster-secret';

describeWithCluster('a Redis Cluster master killed mid-run', () => {
  let cluster: RedisCluster;
  const clients: Cluster[] = [];
  const connect = () => {
    const client = new Cluster(cluster.startupNodes, { clusterRetryStrategy: () => 100, redisOptions: { maxRetriesPerRequest: 1 } });
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  };
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await cluster?.stop();
  });

  /** Sends every notification once; returns the status of each, in order. */
  const sendAll = async (server: Running, notifications: ReturnType<typeof buildPay247Notification>[]) =>
    (await Promise.all(notifications.map((n) => post(`${server.url}/notify/pay247`, n.body, n.headers)))).map((reply) => reply.status);

  /** The provider's retries: resends what was not acked until every one is. */
  const retryUntilAcked = async (server: Running, notifications: ReturnType<typeof buildPay247Notification>[], statuses: number[]) => {
    let unacked = notifications.filter((_, i) => statuses[i] !== 200);
    await until(async () => {
      const again = await sendAll(server, unacked);
      unacked = unacked.filter((_, i) => again[i] !== 200);
      return unacked.length === 0;
    }, 200, 30_000);
  };

  test('RedisInbox: while its master is down puts are answered 503, none acked; after the restart every acked one is delivered once', async () => {
    const prefix = 'killed:inbox';
    const delivered = new Map<string, number>();
    const client = connect();
    const inbox = new RedisInbox({ ...FAST, client: client as never, prefix, timeoutMs: 500 });
    const app = express();
    app.post('/notify/pay247', createPay247WebhookMiddleware({ secret: SECRET, inbox, onEvent: (event) => void delivered.set(event.id, (delivered.get(event.id) ?? 0) + 1) }));
    const server = await listen(app);
    try {
      // A new cluster client first learns the slot map; puts meanwhile can miss the 500 ms timeout (and are retried, as the provider would).
      await until(() => client.set(`{${prefix}}:warm-up`, '1').then(() => true, () => false), 50, 20_000);
      const before = Array.from({ length: 20 }, () => buildPay247Notification({ secret: SECRET }));
      const first = await sendAll(server, before);
      expect(first.every((status) => status === 200 || status === 503)).toBe(true);
      await retryUntilAcked(server, before, first);

      const master = cluster.nodeFor(`{${prefix}}:anything`);
      await master.kill();
      const during = Array.from({ length: 20 }, () => buildPay247Notification({ secret: SECRET }));
      const statuses = await sendAll(server, during);
      // Every key of the inbox is on the killed master: nothing can be stored, so nothing is acked.
      expect(statuses).toEqual(Array(20).fill(503));

      await master.restart();
      await cluster.waitUntilHealthy();
      await retryUntilAcked(server, during, statuses);
      const ids = [...before, ...during].map((n) => `${n.fields.order_no}:2`);
      await until(() => ids.every((id) => delivered.has(id)), 20, 30_000);
      expect(ids.map((id) => delivered.get(id))).toEqual(Array(40).fill(1));
      expect(delivered.size).toBe(40);
    } finally {
      await server.close();
      await inbox.close();
    }
  }, 90_000);

  test('RedisDedupStore: notifications on the killed master are answered 503 and not run; after the restart no acked one runs again', async () => {
    const runs = new Map<string, number>();
    const client = connect();
    const store = new RedisDedupStore({ client: client as never, keyPrefix: 'killed:dedup:', timeoutMs: 500 });
    const app = express();
    app.post('/notify/pay247', createPay247WebhookMiddleware({ secret: SECRET, store, onEvent: (event) => void runs.set(event.id, (runs.get(event.id) ?? 0) + 1) }));
    const server = await listen(app);
    try {
      const notifications = Array.from({ length: 60 }, () => buildPay247Notification({ secret: SECRET }));
      const ids = notifications.map((n) => `${n.fields.order_no}:2`);
      const master = cluster.nodes[0];
      const onKilled = ids.map((id) => cluster.nodeFor(`killed:dedup:pay247:${id}`) === master);
      // The keys spread over the masters: some are on the one killed, some elsewhere.
      expect(onKilled.filter(Boolean).length).toBeGreaterThan(0);
      expect(onKilled.filter((on) => !on).length).toBeGreaterThan(0);

      await master.kill();
      // Once the client has seen the node go (its connection to it fails), the other masters answer.
      const alive = ids.find((_, i) => !onKilled[i])!;
      await until(() => client.get(`killed:dedup:pay247:${alive}`).then(() => true, () => false), 50, 20_000);
      const statuses = await sendAll(server, notifications);
      // Those on the dead master are refused (503), not run; an acked one was run, a refused one was not.
      expect(statuses.filter((_, i) => onKilled[i])).toEqual(onKilled.filter(Boolean).map(() => 503));
      expect(ids.filter((id) => runs.has(id))).toEqual(ids.filter((_, i) => statuses[i] === 200));
      // The other masters kept serving (a cluster client refreshing its slot map may refuse a few meanwhile).
      expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(0);

      await master.restart();
      await cluster.waitUntilHealthy();
      // The provider resends everything (the acked ones too, as a provider whose ack got lost would).
      await retryUntilAcked(server, notifications, Array(60).fill(503));
      expect(ids.map((id) => runs.get(id))).toEqual(Array(60).fill(1));
    } finally {
      await server.close();
      await store.close();
    }
  }, 90_000);
});
