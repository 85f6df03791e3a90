/**
 * A burst after an outage: thousands of notifications stored at once are
 * all acked (a put that failed is sent again, as a provider would), none
 * lost, and all delivered afterwards, once each.
 */
import type { AnyWebhookEvent } from '../../lib';
import { until } from '../helpers/async';
import { describeWithRedis } from '../helpers/redis-server';
import { redisBackend, sqliteBackend, type Backend } from './backends';

const BURST = 2000;
const event = (id: string) => ({ provider: 'pay247', id, type: 'payout.succeeded', data: {}, signedFields: [], receivedAt: new Date() }) as unknown as AnyWebhookEvent;

function describeBurst(backend: Backend): void {
  describe(`${backend.name}: a burst of ${BURST} notifications`, () => {
    afterEach(() => backend.closeAll());

    test('all acked (failed puts sent again), none lost, each delivered exactly once afterwards', async () => {
      const inbox = backend.fresh()({ concurrency: 8 });
      const runs = new Map<string, number>();
      inbox.register({
        provider: 'pay247',
        handlerTimeoutMs: 5000,
        hardTimeoutMs: 10_000,
        run: async (delivered) => void runs.set(delivered.id, (runs.get(delivered.id) ?? 0) + 1),
        report: () => undefined,
      });
      const ids = Array.from({ length: BURST }, (_, i) => `burst-${i}`);
      // Like providers: a put that failed (past timeoutMs under the burst: answered 503) is sent again until acked.
      let unacked = ids;
      for (let round = 0; unacked.length > 0; round++) {
        expect(round).toBeLessThan(20);
        const outcomes = await Promise.allSettled(unacked.map((id) => inbox.put(`pay247:${id}`, event(id))));
        unacked = unacked.filter((_, i) => outcomes[i].status === 'rejected');
      }
      await until(() => runs.size === BURST, 20, 30_000);
      expect([...runs.values()].every((count) => count === 1)).toBe(true);
      await until(async () => (await inbox.list({ limit: 10 })).length === 0, 20, 10_000);
    }, 60_000);
  });
}

describe('burst with SqliteInbox', () => {
  const sqlite = sqliteBackend();
  afterAll(() => sqlite.dispose());
  describeBurst(sqlite);
});

describeWithRedis('burst with RedisInbox', () => {
  const redis = redisBackend();
  beforeAll(() => redis.start());
  afterAll(() => redis.server()?.stop());
  describeBurst(redis);
});
