import type { InboxStorage, LeasedEntry } from '../../lib/inbox/storage';
import { sleep } from '../helpers/async';
import { describeHistoryConformance } from './history-conformance';

/** Two handles on one inbox, as two processes (or instances) would have. */
export interface StoragePair {
  a: InboxStorage;
  b: InboxStorage;
  close(): Promise<void>;
}

const event = (id: string, provider = 'pay247') =>
  JSON.stringify({ provider, id, type: 'payout.succeeded', data: { amount: '100.0000' }, signedFields: ['amount'], receivedAt: new Date(0).toISOString() });

/**
 * What every inbox backend must do (SQLite and Redis): durable puts that
 * never store a key twice, exclusive leases that expire when their holder
 * dies, outcomes recorded only by the lease holder, dead letters kept.
 * Lease expiry uses short real times: Redis measures it itself.
 */
export function describeInboxStorageConformance(name: string, makePair: () => Promise<StoragePair>): void {
  describe(`${name}: inbox storage conformance`, () => {
    let pair: StoragePair;
    let a: InboxStorage;
    let b: InboxStorage;
    beforeEach(async () => {
      pair = await makePair();
      ({ a, b } = pair);
    });
    afterEach(() => pair.close());
    describeHistoryConformance(() => pair);

    async function leaseOne(storage: InboxStorage, now = Date.now(), leaseMs = 10_000): Promise<LeasedEntry> {
      const leased = await storage.lease(['pay247'], 10, now, leaseMs);
      expect(leased).toHaveLength(1);
      return leased[0];
    }

    test('put stores once; the same key again is a duplicate, whichever handle writes it', async () => {
      const now = Date.now();
      expect(await a.put('pay247:1', 'pay247', event('1'), now)).toBe('stored');
      expect(await a.put('pay247:1', 'pay247', event('1'), now)).toBe('duplicate');
      expect(await b.put('pay247:1', 'pay247', event('1'), now)).toBe('duplicate');
      const entry = await b.get('pay247:1');
      expect(entry).toMatchObject({ key: 'pay247:1', provider: 'pay247', state: 'pending', attempts: 0 });
      expect(entry!.event.receivedAt).toBeInstanceOf(Date);
      expect(await a.list({})).toHaveLength(1);
    });

    test('a lease is exclusive, counts the attempt, and only covers the providers asked for', async () => {
      const now = Date.now();
      await a.put('pay247:1', 'pay247', event('1'), now);
      await a.put('other:1', 'other', event('1', 'other'), now);
      const leased = await leaseOne(a, now);
      expect(leased).toMatchObject({ key: 'pay247:1', provider: 'pay247', attempt: 1 });
      expect(JSON.parse(leased.event).id).toBe('1');
      expect(await b.lease(['pay247'], 10, now, 10_000)).toEqual([]);
      expect(await a.lease(['pay247'], 10, now, 10_000)).toEqual([]);
      expect((await b.lease(['other'], 10, now, 10_000)).map((e) => e.key)).toEqual(['other:1']);
    });

    test('complete: recorded once; a done entry is never leased again, and a late put of it is a duplicate', async () => {
      await a.put('pay247:1', 'pay247', event('1'), Date.now());
      const leased = await leaseOne(a);
      expect(await a.complete(leased, Date.now())).toBe(true);
      expect(await a.complete(leased, Date.now())).toBe(false);
      expect(await a.get('pay247:1')).toMatchObject({ state: 'done', attempts: 1 });
      expect(await b.lease(['pay247'], 10, Date.now() + 60_000, 10_000)).toEqual([]);
      expect(await a.put('pay247:1', 'pay247', event('1'), Date.now())).toBe('duplicate');
    });

    test('retry: not due before its time, due after it, with the attempt counted', async () => {
      const now = Date.now();
      await a.put('pay247:1', 'pay247', event('1'), now);
      const first = await leaseOne(a, now);
      expect(await a.retry(first, now + 5000, 'HANDLER_FAILED: onEvent threw', now)).toBe(true);
      expect(await b.lease(['pay247'], 10, now + 4000, 10_000)).toEqual([]);
      expect(await a.get('pay247:1')).toMatchObject({ state: 'pending', lastError: 'HANDLER_FAILED: onEvent threw', nextAttemptAt: new Date(now + 5000) });
      const second = await leaseOne(b, now + 5000);
      expect(second.attempt).toBe(2);
    });

    test('bury: dead, kept, listed; replay makes it due again with attempts reset', async () => {
      const now = Date.now();
      await a.put('pay247:1', 'pay247', event('1'), now);
      await a.put('pay247:2', 'pay247', event('2'), now + 1);
      const leased = await a.lease(['pay247'], 1, now + 1, 10_000);
      expect(await a.bury(leased[0], now + 2, 'HANDLER_FAILED: gave up')).toBe(true);
      expect(await a.get(leased[0].key)).toMatchObject({ state: 'dead', lastError: 'HANDLER_FAILED: gave up', finishedAt: new Date(now + 2) });
      expect((await a.list({ state: 'dead' })).map((e) => e.key)).toEqual([leased[0].key]);
      expect((await a.list({})).map((e) => e.state).sort()).toEqual(['dead', 'pending']);
      await a.prune(now + 1_000_000);
      expect(await a.get(leased[0].key)).toBeDefined();
      expect(await b.replay('dead', now + 3)).toEqual([leased[0].key]);
      expect(await a.get(leased[0].key)).toMatchObject({ state: 'pending', attempts: 0 });
      const again = await b.lease(['pay247'], 10, now + 3, 10_000);
      expect(again.map((e) => e.key).sort()).toEqual(['pay247:1', 'pay247:2']);
    });

    test('replay by key: dead and pending entries only, never done ones or unknown keys', async () => {
      const now = Date.now();
      await a.put('pay247:1', 'pay247', event('1'), now);
      const leased = await leaseOne(a, now);
      await a.complete(leased, now);
      await a.put('pay247:2', 'pay247', event('2'), now);
      const pending = await leaseOne(a, now);
      await a.retry(pending, now + 60_000, 'HANDLER_FAILED: x', now);
      expect(await a.replay(['pay247:1', 'pay247:2', 'pay247:nope'], now + 10)).toEqual(['pay247:2']);
      expect((await b.lease(['pay247'], 10, now + 10, 10_000)).map((e) => [e.key, e.attempt])).toEqual([['pay247:2', 1]]);
    });

    test('a lease runs out when its holder stops renewing (a crash): another takes over, the stale holder records nothing', async () => {
      await a.put('pay247:1', 'pay247', event('1'), Date.now());
      // Generous margins: a loaded machine may stall the event loop for a while.
      const crashed = await leaseOne(a, Date.now(), 400);
      expect(await b.lease(['pay247'], 10, Date.now(), 400)).toEqual([]);
      await sleep(600);
      const taken = await leaseOne(b, Date.now(), 400);
      expect(taken.attempt).toBe(2);
      expect(await a.complete(crashed, Date.now())).toBe(false);
      expect(await a.renew(crashed, Date.now(), 10_000)).toBe(false);
      expect(await b.complete(taken, Date.now())).toBe(true);
    });

    test('a renewed lease holds past its original length', async () => {
      await a.put('pay247:1', 'pay247', event('1'), Date.now());
      const held = await leaseOne(a, Date.now(), 400);
      for (let i = 0; i < 4; i++) {
        await sleep(150);
        expect(await a.renew(held, Date.now(), 400)).toBe(true);
        expect(await b.lease(['pay247'], 10, Date.now(), 400)).toEqual([]);
      }
      expect(await a.complete(held, Date.now())).toBe(true);
    });

    test('two handles leasing at once never get the same entry', async () => {
      const now = Date.now();
      for (let i = 0; i < 40; i++) await a.put(`pay247:${i}`, 'pay247', event(String(i)), now);
      const rounds = await Promise.all([0, 1, 2, 3].map((i) => (i % 2 ? a : b).lease(['pay247'], 15, now, 10_000)));
      const keys = rounds.flat().map((e) => e.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.length).toBe(40);
    });

    test('purge deletes done entries by default, dead ones only when asked; prune drops old done entries', async () => {
      const now = Date.now();
      for (const id of ['1', '2', '3']) await a.put(`pay247:${id}`, 'pay247', event(id), now);
      const [one, two, three] = (await a.lease(['pay247'], 3, now, 10_000)).sort((x, y) => (x.key < y.key ? -1 : 1));
      await a.complete(one, now + 10);
      await a.complete(two, now + 20);
      await a.bury(three, now + 30, 'HANDLER_FAILED: x');
      await a.prune(now + 15);
      expect(await a.get('pay247:1')).toBeUndefined();
      expect(await a.get('pay247:2')).toBeDefined();
      expect(await b.purge({ state: 'done', finishedBefore: new Date(now + 15) })).toBe(0);
      expect(await b.purge({})).toBe(1);
      expect((await a.list({ state: 'all' })).map((e) => e.key)).toEqual(['pay247:3']);
      expect(await b.purge({ state: 'dead' })).toBe(1);
      expect(await a.list({ state: 'all' })).toEqual([]);
    });

    test('list is oldest stored first in every state, whatever order entries finished in, also with a limit', async () => {
      const now = Date.now();
      for (let i = 0; i < 4; i++) await a.put(`pay247:${i}`, 'pay247', event(String(i)), now + i);
      const leased = (await a.lease(['pay247'], 4, now + 10, 10_000)).sort((x, y) => (x.key < y.key ? -1 : 1));
      // Finished newest first: the dead index's order is the reverse of the stored order.
      for (const [i, entry] of [...leased].reverse().entries()) await a.bury(entry, now + 100 + i, 'HANDLER_FAILED: x');
      await a.put('pay247:9', 'pay247', event('9'), now + 50);
      expect((await b.list({ state: 'dead', limit: 2 })).map((e) => e.key)).toEqual(['pay247:0', 'pay247:1']);
      expect((await b.list({ limit: 3 })).map((e) => e.key)).toEqual(['pay247:0', 'pay247:1', 'pay247:2']);
      expect((await b.list({ state: 'all' })).map((e) => e.key)).toEqual(['pay247:0', 'pay247:1', 'pay247:2', 'pay247:3', 'pay247:9']);
    });

    test('list oldest first past one page of an index: the oldest stored dead letter, finished last of 501', async () => {
      const now = Date.now();
      await a.put('pay247:oldest', 'pay247', event('oldest'), now);
      for (let i = 0; i < 500; i++) await a.put(`pay247:${i}`, 'pay247', event(String(i)), now + 1 + i);
      const leased = await a.lease(['pay247'], 501, now + 1000, 60_000);
      const oldest = leased.find((entry) => entry.key === 'pay247:oldest')!;
      for (const entry of leased) if (entry !== oldest) await a.bury(entry, now + 2000, 'HANDLER_FAILED: x');
      await a.bury(oldest, now + 3000, 'HANDLER_FAILED: x');
      expect((await b.list({ state: 'dead', limit: 2 })).map((e) => e.key)).toEqual(['pay247:oldest', 'pay247:0']);
    });

    test('a replay starts a fresh attempt budget: attempts and age counted from the replay', async () => {
      const storedAt = Date.now();
      await a.put('pay247:1', 'pay247', event('1'), storedAt);
      const first = await leaseOne(a, storedAt);
      expect(first.budgetFrom).toBe(storedAt);
      await a.bury(first, storedAt + 1, 'HANDLER_FAILED: x');
      const replayedAt = storedAt + 5 * 24 * 3600_000;
      expect(await b.replay(['pay247:1'], replayedAt)).toEqual(['pay247:1']);
      const again = await leaseOne(b, replayedAt);
      expect(again).toMatchObject({ attempt: 1, budgetFrom: replayedAt });
      // A pending entry replayed: the same.
      await b.retry(again, replayedAt + 60_000, 'HANDLER_FAILED: x', replayedAt);
      expect(await a.replay(['pay247:1'], replayedAt + 10)).toEqual(['pay247:1']);
      expect(await leaseOne(a, replayedAt + 10)).toMatchObject({ attempt: 1, budgetFrom: replayedAt + 10 });
      expect((await a.get('pay247:1'))!.storedAt).toEqual(new Date(storedAt));
    });

    test('a lease that ran out and was taken again by the same handle: the stale run records nothing, the new one does', async () => {
      await a.put('pay247:1', 'pay247', event('1'), Date.now());
      const stale = await leaseOne(a, Date.now(), 400);
      await sleep(600);
      const fresh = await leaseOne(a, Date.now(), 400);
      expect(fresh.attempt).toBe(2);
      expect(await a.renew(stale, Date.now(), 400)).toBe(false);
      expect(await a.retry(stale, Date.now(), 'HANDLER_FAILED: x', Date.now())).toBe(false);
      expect(await a.complete(stale, Date.now())).toBe(false);
      expect(await a.complete(fresh, Date.now())).toBe(true);
    });

    test('completeLate: a run given up on succeeded after all: done whatever lease or state it is at, never twice', async () => {
      const now = Date.now();
      await a.put('pay247:1', 'pay247', event('1'), now);
      const givenUp = await leaseOne(a, now);
      await a.retry(givenUp, now, 'HANDLER_TIMEOUT: x', now);
      const retrying = await leaseOne(b, now);
      expect(await a.completeLate(givenUp, now + 1)).toBe(true);
      expect(await a.get('pay247:1')).toMatchObject({ state: 'done', finishedAt: new Date(now + 1) });
      expect(await b.complete(retrying, now + 2)).toBe(false);
      expect(await a.completeLate(givenUp, now + 3)).toBe(false);
      expect(await b.lease(['pay247'], 10, now + 60_000, 10_000)).toEqual([]);
      // A dead letter whose given-up run succeeded is done too: replaying it would run the work again.
      await a.put('pay247:2', 'pay247', event('2'), now);
      const last = await leaseOne(a, now);
      await a.bury(last, now, 'HANDLER_TIMEOUT: x');
      expect(await b.completeLate(last, now + 4)).toBe(true);
      expect((await a.list({ state: 'done' })).map((e) => e.key)).toEqual(['pay247:1', 'pay247:2']);
      expect(await a.list({ state: 'dead' })).toEqual([]);
    });

    test('list filters by provider and keeps to the limit, oldest first', async () => {
      const now = Date.now();
      for (let i = 0; i < 5; i++) await a.put(`pay247:${i}`, 'pay247', event(String(i)), now + i);
      await a.put('other:1', 'other', event('1', 'other'), now);
      expect((await b.list({ provider: 'pay247', limit: 3 })).map((e) => e.key)).toEqual(['pay247:0', 'pay247:1', 'pay247:2']);
      expect((await b.list({ provider: 'other' })).map((e) => e.key)).toEqual(['other:1']);
    });
  });
}
