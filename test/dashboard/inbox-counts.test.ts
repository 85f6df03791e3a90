/**
 * `counts()`, the overview's figures, on both backends: per provider and
 * state, no zero rows, sorted; agreeing with what `list` holds after random
 * mixes of outcomes, a replay and a purge.
 */
import fc from 'fast-check';
import type { InboxCount } from '../../lib';
import { describeWithRedis } from '../helpers/redis-server';
import { redisBackend, sqliteBackend, type Backend } from '../inbox/backends';
import { event, seedInbox } from './seed';

const PROVIDERS = ['pay247', 'sgate', 'card-issuing'];

async function countedByList(inbox: { list: (o: object) => Promise<Array<{ provider: string; state: string }>> }): Promise<InboxCount[]> {
  const counts = new Map<string, InboxCount>();
  for (const entry of await inbox.list({ state: 'all', limit: 10_000 })) {
    const id = `${entry.provider}/${entry.state}`;
    const count = counts.get(id) ?? { provider: entry.provider, state: entry.state as InboxCount['state'], count: 0 };
    count.count++;
    counts.set(id, count);
  }
  return [...counts.values()];
}

function describeCounts(backend: Backend): void {
  describe(`${backend.name} counts()`, () => {
    afterEach(() => backend.closeAll());

    test('an empty inbox has no counts', async () => {
      const inbox = backend.fresh()();
      expect(await inbox.counts()).toEqual([]);
    });

    test('per provider, then pending, dead, done; a replay and a purge move the figures', async () => {
      const { inbox } = await seedInbox(backend.fresh(), {
        dead: [event('sgate', 'd1'), event('pay247', 'd2'), event('pay247', 'd3')],
        retrying: [event('pay247', 'r1')],
        done: [event('sgate', 'ok1')],
        pending: [event('crypto-gateway', 'p1')],
      });
      expect(await inbox.counts()).toEqual([
        { provider: 'crypto-gateway', state: 'pending', count: 1 },
        { provider: 'pay247', state: 'pending', count: 1 },
        { provider: 'pay247', state: 'dead', count: 2 },
        { provider: 'sgate', state: 'dead', count: 1 },
        { provider: 'sgate', state: 'done', count: 1 },
      ]);
      await inbox.purge({ state: 'dead' });
      expect(await inbox.counts()).toEqual([
        { provider: 'crypto-gateway', state: 'pending', count: 1 },
        { provider: 'pay247', state: 'pending', count: 1 },
        { provider: 'sgate', state: 'done', count: 1 },
      ]);
    });

    test('more entries than one page of an index (Redis walks them 500 at a time): all counted', async () => {
      const inbox = backend.fresh()();
      for (let i = 0; i < 600; i++) await inbox.put(`kyb:${i}`, event('kyb', String(i)));
      expect(await inbox.counts()).toEqual([{ provider: 'kyb', state: 'pending', count: 600 }]);
    });

    test('agrees with list after random mixes of outcomes and a replay of some dead letters', async () => {
      const outcome = fc.constantFrom('dead', 'retrying', 'done', 'pending');
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...PROVIDERS), outcome), { maxLength: 12 }), fc.nat(4), async (plan, replays) => {
          const events = plan.map(([provider, state], i) => ({ state, e: event(state === 'pending' ? `${provider}-unregistered` : provider, `e${i}`) }));
          const pick = (state: string) => events.filter((item) => item.state === state).map((item) => item.e);
          const { inbox } = await seedInbox(backend.fresh(), { dead: pick('dead'), retrying: pick('retrying'), done: pick('done'), pending: pick('pending') });
          const dead = (await inbox.list({ state: 'dead' })).slice(0, replays).map((entry) => entry.key);
          if (dead.length > 0) await inbox.replay(dead);
          const expected = await countedByList(inbox);
          const counted = await inbox.counts();
          expect([...counted].sort((a, b) => `${a.provider}${a.state}`.localeCompare(`${b.provider}${b.state}`))).toEqual(
            expected.sort((a, b) => `${a.provider}${a.state}`.localeCompare(`${b.provider}${b.state}`)),
          );
          expect(counted.every((count) => count.count > 0)).toBe(true);
          await backend.closeAll();
        }),
        { numRuns: 8 },
      );
    });
  });
}

const sqlite = sqliteBackend();
afterAll(() => sqlite.dispose());
describeCounts(sqlite);

describeWithRedis('RedisInbox', () => {
  const redis = redisBackend();
  beforeAll(() => redis.start());
  afterAll(() => redis.server().stop());
  describeCounts(redis);
});
