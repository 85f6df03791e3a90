import type { InboxHistoryRecord } from '../../lib/inbox/inbox';
import { HISTORY_LIMIT, type InboxStorage, type LeasedEntry } from '../../lib/inbox/storage';
import { sleep } from '../helpers/async';

const event = (id: string, provider = 'pay247') =>
  JSON.stringify({ provider, id, type: 'payout.succeeded', data: { amount: '100.0000' }, signedFields: ['amount'], receivedAt: new Date(0).toISOString() });

const attempt = (n: number, outcome: string, startedAt: number, finishedAt?: number, error?: string): InboxHistoryRecord =>
  ({ type: 'attempt', attempt: n, outcome, startedAt: new Date(startedAt), finishedAt: finishedAt === undefined ? undefined : new Date(finishedAt), error }) as InboxHistoryRecord;

/**
 * The attempt history every backend keeps (part of the storage conformance
 * suite): each attempt with its times, outcome and error, a replay between
 * them, an attempt whose lease ran out shown as expired once the entry is
 * leased again, the newest HISTORY_LIMIT kept, and all of it deleted with its entry.
 */
export function describeHistoryConformance(pair: () => { a: InboxStorage; b: InboxStorage }): void {
  describe('attempt history', () => {
    async function leaseOne(storage: InboxStorage, now: number, leaseMs = 10_000): Promise<LeasedEntry> {
      const leased = await storage.lease(['pay247'], 10, now, leaseMs);
      expect(leased).toHaveLength(1);
      return leased[0];
    }

    test('every attempt with its times, outcome and error; a replay between them; the success last', async () => {
      const { a, b } = pair();
      const t = Date.now();
      await a.put('pay247:1', 'pay247', event('1'), t);
      expect(await b.history('pay247:1')).toEqual([]);
      const first = await leaseOne(a, t + 1);
      expect(await b.history('pay247:1')).toEqual([attempt(1, 'running', t + 1)]);
      await a.retry(first, t + 10, 'HANDLER_FAILED: onEvent threw or rejected: <script>alert(1)</script>', t + 2);
      const second = await leaseOne(b, t + 10);
      await b.bury(second, t + 12, 'HANDLER_TIMEOUT: onEvent did not settle');
      expect(await a.replay(['pay247:1'], t + 20)).toEqual(['pay247:1']);
      const third = await leaseOne(a, t + 21);
      await a.complete(third, t + 25);
      expect(await b.history('pay247:1')).toEqual([
        attempt(1, 'failed', t + 1, t + 2, 'HANDLER_FAILED: onEvent threw or rejected: <script>alert(1)</script>'),
        attempt(2, 'failed', t + 10, t + 12, 'HANDLER_TIMEOUT: onEvent did not settle'),
        { type: 'replay', at: new Date(t + 20) },
        attempt(1, 'delivered', t + 21, t + 25),
      ]);
      // The entry itself agrees: done, one attempt since the replay.
      expect(await b.get('pay247:1')).toMatchObject({ state: 'done', attempts: 1 });
    });

    test('a lease that ran out (its process killed) shows as expired once the entry is leased again; the stale run adds nothing', async () => {
      const { a, b } = pair();
      await a.put('pay247:1', 'pay247', event('1'), Date.now());
      const killed = await leaseOne(a, Date.now(), 300);
      await sleep(500);
      const takenAt = Date.now();
      // Redis measures a lease itself, by the leasing side's leaseMs: the same short one.
      const taken = await leaseOne(b, takenAt, 300);
      expect(await a.retry(killed, takenAt, 'HANDLER_FAILED: late', takenAt)).toBe(false);
      expect(await a.complete(killed, takenAt)).toBe(false);
      const history = await a.history('pay247:1');
      expect(history.map((r) => r.type === 'attempt' && [r.attempt, r.outcome, r.error])).toEqual([
        [1, 'expired', undefined],
        [2, 'running', undefined],
      ]);
      expect(history[0]).toMatchObject({ finishedAt: new Date(takenAt) });
      expect(await b.complete(taken, takenAt + 1)).toBe(true);
      expect((await a.history('pay247:1')).map((r) => r.type === 'attempt' && r.outcome)).toEqual(['expired', 'delivered']);
    });

    test('a run given up that succeeded late: its attempt is delivered, the retry running meanwhile abandoned', async () => {
      const { a, b } = pair();
      const t = Date.now();
      await a.put('pay247:1', 'pay247', event('1'), t);
      const givenUp = await leaseOne(a, t);
      await a.retry(givenUp, t + 1, 'HANDLER_TIMEOUT: not settled within hardTimeoutMs', t + 1);
      const retrying = await leaseOne(b, t + 1);
      expect(await a.completeLate(givenUp, t + 5)).toBe(true);
      expect(await b.complete(retrying, t + 6)).toBe(false);
      expect(await b.history('pay247:1')).toEqual([
        attempt(1, 'delivered', t, t + 5, 'HANDLER_TIMEOUT: not settled within hardTimeoutMs'),
        attempt(2, 'abandoned', t + 1, t + 5),
      ]);
    });

    test(`bounded: the newest ${HISTORY_LIMIT} records of an entry are kept, replays counted, other entries untouched`, async () => {
      const { a, b } = pair();
      const t = Date.now();
      await a.put('pay247:1', 'pay247', event('1'), t);
      // Another entry, never leased here (another provider): its history stays empty.
      await a.put('other:2', 'other', event('2', 'other'), t);
      const total = HISTORY_LIMIT + 5;
      for (let i = 0; i < total; i++) {
        const handle = i % 2 ? a : b;
        const leased = await leaseOne(handle, t + i * 10);
        expect(await handle.retry(leased, t + i * 10 + 10, `HANDLER_FAILED: ${i}`, t + i * 10 + 1)).toBe(true);
      }
      await b.replay(['pay247:1'], t + total * 10);
      const history = await b.history('pay247:1');
      expect(history).toHaveLength(HISTORY_LIMIT);
      expect(history.at(-1)).toEqual({ type: 'replay', at: new Date(t + total * 10) });
      expect(history.slice(0, -1).map((r) => r.type === 'attempt' && r.error)).toEqual(
        Array.from({ length: HISTORY_LIMIT - 1 }, (_, i) => `HANDLER_FAILED: ${total - HISTORY_LIMIT + 1 + i}`),
      );
      expect(await a.history('other:2')).toEqual([]);
    });

    test('deleted with its entry by purge and prune; a later put of the key starts with none', async () => {
      const { a, b } = pair();
      const t = Date.now();
      for (const id of ['1', '2', '3']) await a.put(`pay247:${id}`, 'pay247', event(id), t);
      const [one, two, three] = (await a.lease(['pay247'], 3, t, 10_000)).sort((x, y) => (x.key < y.key ? -1 : 1));
      await a.complete(one, t + 10);
      await a.bury(two, t + 10, 'HANDLER_FAILED: x');
      await a.complete(three, t + 30);
      await b.prune(t + 20);
      expect(await a.history('pay247:1')).toEqual([]);
      expect(await a.history('pay247:3')).toHaveLength(1);
      expect(await b.purge({ state: 'dead' })).toBe(1);
      expect(await a.history('pay247:2')).toEqual([]);
      expect(await a.history('pay247:3')).toHaveLength(1);
      expect(await b.purge({})).toBe(1);
      expect(await a.history('pay247:3')).toEqual([]);
      expect(await a.put('pay247:2', 'pay247', event('2'), t + 40)).toBe('stored');
      expect(await a.history('pay247:2')).toEqual([]);
    });
  });
}
