/**
 * The delivery worker's leases and deadlines, with each backend, through
 * consumers registered directly (what a middleware registers): renewal keeps
 * a slow run exclusive, a lost lease aborts its run, a handler that never
 * settles is given up at hardTimeoutMs, and a replay starts a fresh budget.
 */
import type { HandlerContext, InboxConsumer, InboxOptions, InboxReport, WebhookError } from '../../lib';
import { deferred, sleep, until } from '../helpers/async';
import { describeWithRedis } from '../helpers/redis-server';
import { SqliteInboxStorage } from '../../lib/inbox/sqlite-client';
import { redisBackend, sqliteBackend, type AnyInbox, type Backend } from './backends';

const event = (id: string) => ({ provider: 'pay247', id, type: 'payout.succeeded', data: { amount: '1.00' }, signedFields: [], receivedAt: new Date() });

interface Watched {
  inbox: AnyInbox;
  reports: InboxReport[];
  errors: WebhookError[];
}

/** An inbox of `open` with `run` as pay247's handler; what it reports is collected. */
function consume(
  open: (options?: InboxOptions) => AnyInbox,
  run: (id: string, ctx: HandlerContext<never>) => Promise<unknown>,
  options: InboxOptions = {},
  timeouts: Partial<Pick<InboxConsumer, 'handlerTimeoutMs' | 'hardTimeoutMs'>> = {},
): Watched {
  const watched: Watched = { reports: [], errors: [] } as unknown as Watched;
  watched.inbox = open({ ...options, onInboxEvent: (report) => void watched.reports.push(report) });
  watched.inbox.register({
    provider: 'pay247',
    handlerTimeoutMs: 10_000,
    hardTimeoutMs: 60_000,
    ...timeouts,
    run: (e, ctx) => run(e.id, ctx),
    report: (error) => void watched.errors.push(error),
  });
  return watched;
}

const ofType = (w: Watched, type: InboxReport['type']) => w.reports.filter((r) => r.type === type);

/**
 * Two workers on one storage, each with a 300 ms lease, sharing a handler
 * that takes `handlerMs`: `runs()` is how many times it started; `settled()`
 * waits until one of them delivered, or it started twice.
 */
function twoWorkers(open: (options?: InboxOptions) => AnyInbox, handlerMs: number) {
  let runs = 0;
  const slow = async () => {
    runs++;
    await sleep(handlerMs);
  };
  const one = consume(open, slow, { leaseMs: 300 });
  // The second polls from the start: it is what would take over a lease that ran out.
  const two = consume(open, slow, { leaseMs: 300 });
  const settled = () => until(() => ofType(one, 'delivered').length + ofType(two, 'delivered').length === 1 || runs > 1);
  return { one, two, runs: () => runs, settled };
}

function describeWorker(backend: Backend): void {
  describe(backend.name, () => {
    afterEach(() => backend.closeAll());

    test('a handler slower than the lease: renewals keep it, so two workers on one storage run it exactly once', async () => {
      const { one, two, runs, settled } = twoWorkers(backend.fresh(), 1200);
      await one.inbox.put('pay247:1', event('1'));
      await settled();
      // Both keep polling a while after: a second run would start now if the lease had run out.
      await sleep(400);
      expect(runs()).toBe(1);
      expect((await one.inbox.get('pay247:1'))).toMatchObject({ state: 'done', attempts: 1 });
      expect([...one.errors, ...two.errors]).toEqual([]);
    });

    test('a lease lost to another worker: ctx.signal aborts, it is reported, and the run records no outcome over the other lease', async () => {
      const open = backend.fresh();
      const started = deferred<AbortSignal>();
      const first = consume(
        open,
        async (_id, ctx) => {
          started.resolve(ctx.signal);
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
          // It then "succeeds" anyway: that must not be recorded over the lease of the run that took over.
        },
        { leaseMs: 300 },
      );
      await first.inbox.put('pay247:1', event('1'));
      const signal = await started.promise;
      // Another worker that sees the lease as expired: a clock an hour ahead (SQLite's lease is a time), a
      // lease so short that XAUTOCLAIM takes the message between two renewals (Redis's lease is the message's idle time).
      let secondRuns = 0;
      const second = consume(open, async () => void secondRuns++, { leaseMs: 20, now: () => Date.now() + 3_600_000 });
      await until(() => signal.aborted);
      expect((signal.reason as WebhookError).code).toBe('INBOX_UNAVAILABLE');
      expect(first.errors.map((error) => [error.code, error.message])).toEqual([['INBOX_UNAVAILABLE', expect.stringMatching(/lease .* was lost/)]]);
      await until(() => ofType(second, 'delivered').length === 1);
      await sleep(100);
      expect(secondRuns).toBe(1);
      expect(ofType(first, 'delivered')).toEqual([]);
      expect(first.errors).toHaveLength(1);
      expect(await first.inbox.get('pay247:1')).toMatchObject({ state: 'done', attempts: 2 });
    });

    test('hardTimeoutMs: a handler that never settles frees its slot and lease; its retry succeeds; its late success records nothing twice', async () => {
      const hung = deferred();
      const runs: string[] = [];
      const w = consume(
        backend.fresh(),
        async (id) => {
          runs.push(id);
          if (runs.length === 1) await hung.promise;
        },
        { concurrency: 1, leaseMs: 10_000 },
        { handlerTimeoutMs: 50, hardTimeoutMs: 200 },
      );
      await w.inbox.put('pay247:hung', event('hung'));
      await until(() => runs.length === 1);
      await w.inbox.put('pay247:next', event('next'));
      // The only slot is held by the hung run until hardTimeoutMs; then the next one, and the hung one's retry, run.
      await until(() => ofType(w, 'delivered').length === 2);
      expect(runs.sort()).toEqual(['hung', 'hung', 'next']);
      expect(ofType(w, 'retry')).toMatchObject([{ key: 'pay247:hung', attempt: 1, error: { code: 'HANDLER_TIMEOUT' } }]);
      expect(w.errors.map((error) => error.code)).toEqual(['HANDLER_TIMEOUT', 'HANDLER_TIMEOUT']);
      expect(w.errors[1].message).toMatch(/hardTimeoutMs/);
      hung.resolve();
      await sleep(50);
      expect(ofType(w, 'delivered').map((r) => (r as { key: string }).key).sort()).toEqual(['pay247:hung', 'pay247:next']);
      expect(await w.inbox.get('pay247:hung')).toMatchObject({ state: 'done', attempts: 2 });
      expect(w.errors).toHaveLength(2);
    });

    test('hardTimeoutMs: the late success of a given-up run marks the entry done, and its failing retries stop', async () => {
      const hung = deferred();
      let runs = 0;
      const w = consume(
        backend.fresh(),
        async () => {
          if (++runs === 1) return hung.promise;
          throw new Error('still down');
        },
        { retry: { maxAttempts: 1000, baseDelayMs: 5, maxDelayMs: 10 } },
        { handlerTimeoutMs: 50, hardTimeoutMs: 150 },
      );
      await w.inbox.put('pay247:1', event('1'));
      await until(() => runs >= 3);
      hung.resolve();
      await until(() => ofType(w, 'delivered').length === 1);
      expect(ofType(w, 'delivered')).toMatchObject([{ key: 'pay247:1', attempt: 1 }]);
      const entry = await w.inbox.get('pay247:1');
      expect(entry?.state).toBe('done');
      const runsWhenDone = runs;
      await sleep(100);
      // At most the retry that was already running when the late success came.
      expect(runs - runsWhenDone).toBeLessThanOrEqual(1);
      expect(await w.inbox.get('pay247:1')).toMatchObject({ state: 'done' });
    });

    test('hardTimeoutMs: a late failure is reported, not recorded', async () => {
      const hung = deferred();
      let runs = 0;
      const w = consume(
        backend.fresh(),
        async () => {
          if (++runs === 1) await hung.promise;
        },
        {},
        { handlerTimeoutMs: 50, hardTimeoutMs: 150 },
      );
      await w.inbox.put('pay247:1', event('1'));
      await until(() => ofType(w, 'delivered').length === 1);
      hung.reject(new Error('late failure'));
      await until(() => w.errors.length === 3);
      expect(w.errors.map((error) => error.code)).toEqual(['HANDLER_TIMEOUT', 'HANDLER_TIMEOUT', 'HANDLER_FAILED']);
      expect(await w.inbox.get('pay247:1')).toMatchObject({ state: 'done', attempts: 2 });
      expect(ofType(w, 'retry')).toHaveLength(1);
    });

    test('absurd durations: a consumer without a sane hardTimeoutMs is refused; huge leases and deadlines mean "never", not "now"', async () => {
      const open = backend.fresh();
      const inbox = open();
      const consumer = { provider: 'pay247', run: async () => undefined, report: () => undefined };
      expect(() => inbox.register({ ...consumer, handlerTimeoutMs: 5000, hardTimeoutMs: 1000 })).toThrow(/hardTimeoutMs >= handlerTimeoutMs/);
      expect(() => inbox.register({ ...consumer, handlerTimeoutMs: 5000, hardTimeoutMs: Number.NaN })).toThrow(/hardTimeoutMs/);
      expect(() => inbox.register({ ...consumer, handlerTimeoutMs: 5000 } as unknown as InboxConsumer)).toThrow(/hardTimeoutMs/);
      let runs = 0;
      const w = consume(
        open,
        async () => {
          runs++;
          await sleep(100);
        },
        { leaseMs: 1e12 },
        // (handlerTimeoutMs is the pipeline's runWithDeadline timer, not the inbox's.)
        { handlerTimeoutMs: 1e9, hardTimeoutMs: 1e13 },
      );
      await w.inbox.put('pay247:1', event('1'));
      await until(() => ofType(w, 'delivered').length === 1);
      expect(runs).toBe(1);
      expect(w.errors).toEqual([]);
    });

    test('a replayed old dead letter gets a fresh budget: every attempt again, its age counted from the replay', async () => {
      let offset = 0;
      const day = 24 * 3600_000;
      let attempts = 0;
      const w = consume(
        backend.fresh(),
        async () => {
          attempts++;
          throw new Error('bug');
        },
        { now: () => Date.now() + offset, retry: { maxAttempts: 3, maxAgeMs: day, baseDelayMs: 5, maxDelayMs: 10 } },
      );
      await w.inbox.put('pay247:1', event('1'));
      await until(() => ofType(w, 'dead').length === 1);
      expect(attempts).toBe(3);
      // Two days later the bug is "fixed" (not yet: every attempt still fails) and the dead letter replayed.
      offset = 2 * day;
      expect(await w.inbox.replay(['pay247:1'])).toEqual(['pay247:1']);
      await until(() => ofType(w, 'dead').length === 2);
      expect(attempts).toBe(6);
      expect(ofType(w, 'retry').map((r) => (r as { attempt: number }).attempt)).toEqual([1, 2, 1, 2]);
      expect(await w.inbox.get('pay247:1')).toMatchObject({ state: 'dead', attempts: 3 });
    });

    test('a lease whose answer came later than a third of its length is renewed before its run starts: with a second worker polling, it still runs once', async () => {
      const open = backend.fresh();
      const { one, runs, settled } = twoWorkers(open, 600);
      await sleep(50);
      // The first lease that finds the entry reaches its worker 400 ms late (a stalled storage, a GC pause): past its lease.
      // (Only once: a storage slower than the lease on every answer lets no worker keep one.)
      const prototype = Object.getPrototypeOf((one.inbox as unknown as { storage: object }).storage) as { lease: (...args: unknown[]) => Promise<unknown[]> };
      const lease = prototype.lease;
      let stalled = false;
      const late = jest.spyOn(prototype, 'lease').mockImplementation(async function (this: unknown, ...args: unknown[]) {
        const leased = await lease.apply(this, args);
        if (leased.length > 0 && !stalled) {
          stalled = true;
          await sleep(400);
        }
        return leased;
      });
      // Stored by an instance that delivers nothing (so no worker has it leased at the put): the workers lease it.
      await open().put('pay247:late', event('late'));
      await settled();
      await sleep(300);
      late.mockRestore();
      expect(runs()).toBe(1);
      expect(await one.inbox.get('pay247:late')).toMatchObject({ state: 'done' });
    });

    test('concurrency bounds the handlers running at once, entries leased as they are stored included; the rest wait their turn and all run once', async () => {
      const open = backend.fresh();
      const gate = deferred<void>();
      let running = 0;
      let most = 0;
      const runs = new Map<string, number>();
      const w = consume(
        open,
        async (id) => {
          runs.set(id, (runs.get(id) ?? 0) + 1);
          most = Math.max(most, ++running);
          try {
            await gate.promise;
          } finally {
            running--;
          }
        },
        { concurrency: 2 },
      );
      const ids = ['1', '2', '3', '4', '5', '6', '7'];
      await Promise.all(ids.map((id) => w.inbox.put(`pay247:${id}`, event(id))));
      await until(() => running === 2);
      // Polls go on meanwhile: none of them may start a third run.
      await sleep(150);
      expect(most).toBe(2);
      gate.resolve();
      await until(() => ofType(w, 'delivered').length === ids.length);
      expect(most).toBe(2);
      expect([...runs.entries()].sort()).toEqual(ids.map((id) => [id, 1]));
      for (const id of ids) expect(await w.inbox.get(`pay247:${id}`)).toMatchObject({ state: 'done', attempts: 1 });
    });

    test('a retry comes due and runs while notifications keep arriving faster than the poll interval (a poll timer reset by every put never fires)', async () => {
      const open = backend.fresh();
      let failedOnce = false;
      const w = consume(
        open,
        async (id) => {
          if (id === 'r' && !failedOnce) {
            failedOnce = true;
            throw new Error('first attempt fails');
          }
        },
        { pollIntervalMs: 50, retry: { baseDelayMs: 5, maxDelayMs: 5 } },
      );
      await w.inbox.put('pay247:r', event('r'));
      await until(() => ofType(w, 'retry').length === 1);
      // A put every 5 ms for up to 2 s, ten times the poll interval: the retry must not wait for the stream to stop.
      let n = 0;
      const started = Date.now();
      while (Date.now() - started < 2000 && (await w.inbox.get('pay247:r'))?.state !== 'done') {
        await w.inbox.put(`pay247:s${n}`, event(`s${n++}`));
        await sleep(5);
      }
      expect(await w.inbox.get('pay247:r')).toMatchObject({ state: 'done', attempts: 2 });
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });
}

describe('delivery worker with SqliteInbox', () => {
  const sqlite = sqliteBackend();
  afterAll(() => sqlite.dispose());
  describeWorker(sqlite);
});

describeWithRedis('delivery worker with RedisInbox', () => {
  const redis = redisBackend();
  beforeAll(() => redis.start());
  afterAll(() => redis.server()?.stop());
  describeWorker(redis);
});

describe('delivery worker: a put slower than the lease', () => {
  const sqlite = sqliteBackend();
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => sqlite.dispose());

  test('an entry stored leased whose write took longer than the lease (a thread still starting) is renewed before its run: with a second worker polling, it runs once', async () => {
    const putLeased = SqliteInboxStorage.prototype.putLeased;
    // The write lands 400 ms after its lease started counting: its lease of 300 ms has run out when it is on disk.
    jest.spyOn(SqliteInboxStorage.prototype, 'putLeased').mockImplementation(async function (this: SqliteInboxStorage, ...args) {
      await sleep(400);
      return putLeased.apply(this, args);
    });
    const { one, runs, settled } = twoWorkers(sqlite.fresh(), 600);
    await one.inbox.put('pay247:slow-put', event('slow-put'));
    await settled();
    await sleep(300);
    expect(runs()).toBe(1);
    expect(await one.inbox.get('pay247:slow-put')).toMatchObject({ state: 'done' });
    await sqlite.closeAll();
  });
});

describe('delivery worker: outcome writes the storage does not answer', () => {
  const sqlite = sqliteBackend();
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => sqlite.dispose());

  test('a slot is freed when its handler settles, but once `concurrency` more runs wait for their outcome to be written, no more handlers start', async () => {
    const stalled = deferred<boolean>();
    const complete = jest.spyOn(SqliteInboxStorage.prototype, 'complete').mockImplementation(() => stalled.promise);
    const runs: string[] = [];
    const w = consume(sqlite.fresh(), async (id) => void runs.push(id), { concurrency: 2 });
    const ids = ['1', '2', '3', '4', '5', '6', '7', '8'];
    for (const id of ids) await w.inbox.put(`pay247:${id}`, event(id));
    // Handlers went on past the first two unwritten outcomes (the slot is not held for the write) ...
    await until(() => runs.length === 4);
    // ... up to twice the concurrency; polls go on, and nothing more starts.
    await sleep(200);
    expect(runs).toHaveLength(4);
    expect(complete).toHaveBeenCalledTimes(4);
    complete.mockRestore();
    stalled.resolve(true);
    await until(() => ofType(w, 'delivered').length === ids.length);
    expect(runs.sort()).toEqual(ids);
    await sqlite.closeAll();
  });
});
