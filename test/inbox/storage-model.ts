/**
 * A model-based test of an inbox storage (fast-check commands): random
 * interleavings of put, put-and-lease (where the backend has it), lease (two handles, as two instances), renew,
 * settle (success, failure per the real retry policy), lease loss (expiry),
 * replay, purge and the clock, checked against a model after every step:
 * a lease never hands out an entry whose lease is live (never two runs at
 * once), a stale lease records nothing, attempts and the attempt budget are
 * counted as the model says (dead after the budget, a replay restarts it),
 * each entry's attempt history is the model's (an attempt started by each
 * lease, closed by its holder's outcome or expired when the entry is leased
 * again, replays between, the newest HISTORY_LIMIT kept, gone with a purge),
 * and at the end every entry is still there and gets delivered.
 *
 * The clock is the model's: passed as `now` to every call. Where a backend
 * measures a lease itself (Redis: the message's idle time), `expire` makes
 * that time pass.
 */
import fc from 'fast-check';
import { decideRetry, resolveRetryPolicy } from '../../lib/inbox/retry-policy';
import { HISTORY_LIMIT, type InboxStorage, type LeasedEntry } from '../../lib/inbox/storage';
import type { InboxHistoryRecord } from '../../lib/inbox/inbox';

/** Longer than any run of commands moves the clock: leases are lost only by `expire`. */
const LEASE_MS = 10_000_000;
const POLICY = resolveRetryPolicy('model', { maxAttempts: 3, maxAgeMs: 30_000, baseDelayMs: 1000, maxDelayMs: 4000 });
const HALF = () => 0.5;
const KEYS = ['pay247:a', 'pay247:b', 'pay247:c', 'pay247:d'];

export interface ModelStorages {
  handles: [InboxStorage, InboxStorage];
  /** Makes every lease's time run out, where the backend measures it itself (the model's clock is moved too). */
  expire(): Promise<void>;
  close(): Promise<void>;
}

interface Entry {
  state: 'pending' | 'done' | 'dead';
  attempts: number;
  storedAt: number;
  nextAttemptAt: number;
  budgetFrom: number;
  /** The run holding the lease, and whether its time ran out. */
  holder: Run | undefined;
  expired: boolean;
  /** What history(key) must answer; a running attempt remembers its run. */
  history: Array<{ record: InboxHistoryRecord; run?: Run }>;
}

function addRecord(entry: Entry, record: InboxHistoryRecord, run?: Run): void {
  entry.history.push({ record, run });
  entry.history.splice(0, Math.max(0, entry.history.length - HISTORY_LIMIT));
}

/** Closes the attempts still running: those of `run`, or all of them. */
function closeAttempts(entry: Entry, now: number, outcome: 'delivered' | 'failed' | 'expired', run?: Run, error?: string): void {
  for (const item of entry.history) {
    if (item.record.type !== 'attempt' || item.record.outcome !== 'running' || (run !== undefined && item.run !== run)) continue;
    item.record = { ...item.record, outcome, finishedAt: new Date(now), error };
  }
}

interface Run {
  leased: LeasedEntry;
  handle: 0 | 1;
}

interface Model {
  /** Whether the backend has putLeased (the commands that use it are skipped otherwise). */
  leasesAtPut: boolean;
  now: number;
  entries: Map<string, Entry>;
  runs: Run[];
}

interface Real {
  storages: ModelStorages;
}

const leasable = (entry: Entry, now: number) => entry.state === 'pending' && entry.nextAttemptAt <= now && (entry.holder === undefined || entry.expired);
const stored = (key: string) => JSON.stringify({ provider: 'pay247', id: key.slice(7), type: 't', data: {}, signedFields: [], receivedAt: new Date(0).toISOString() });

class Put implements fc.AsyncCommand<Model, Real> {
  constructor(readonly key: string) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const result = await r.storages.handles[0].put(this.key, 'pay247', stored(this.key), m.now);
    expect(result).toBe(m.entries.has(this.key) ? 'duplicate' : 'stored');
    if (result === 'stored') {
      m.entries.set(this.key, { state: 'pending', attempts: 0, storedAt: m.now, nextAttemptAt: m.now, budgetFrom: m.now, holder: undefined, expired: false, history: [] });
    }
  }
  toString = () => `put(${this.key})`;
}

/** A put that leases the new entry at once (InboxStorage.putLeased), where the backend has it: as a put, then as a lease of just that entry. */
class PutLeased implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly key: string,
    readonly handle: 0 | 1,
  ) {}
  check = (m: Readonly<Model>) => m.leasesAtPut;
  async run(m: Model, r: Real) {
    const storage = r.storages.handles[this.handle];
    const leased = await storage.putLeased!(this.key, 'pay247', stored(this.key), m.now, LEASE_MS);
    if (m.entries.has(this.key)) {
      expect(leased).toBe('duplicate');
      return;
    }
    expect(leased).toMatchObject({ key: this.key, provider: 'pay247', attempt: 1, budgetFrom: m.now });
    const l = leased as LeasedEntry;
    const run: Run = { leased: l, handle: this.handle };
    const entry: Entry = { state: 'pending', attempts: 1, storedAt: m.now, nextAttemptAt: m.now, budgetFrom: m.now, holder: run, expired: false, history: [] };
    addRecord(entry, { type: 'attempt', attempt: 1, startedAt: new Date(m.now), finishedAt: undefined, outcome: 'running', error: undefined }, run);
    m.entries.set(this.key, entry);
    m.runs.push(run);
  }
  toString = () => `putLeased(${this.key}, ${this.handle})`;
}

class Lease implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly handle: 0 | 1,
    readonly limit: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const leased = await r.storages.handles[this.handle].lease(['pay247'], this.limit, m.now, LEASE_MS);
    expect(leased.length).toBeLessThanOrEqual(this.limit);
    expect(new Set(leased.map((l) => l.key)).size).toBe(leased.length);
    for (const l of leased) {
      const entry = m.entries.get(l.key);
      // Never an entry whose lease is live: no two runs of one entry at once.
      expect(entry !== undefined && leasable(entry, m.now)).toBe(true);
      entry!.attempts++;
      expect(l).toMatchObject({ attempt: entry!.attempts, budgetFrom: entry!.budgetFrom });
      const run: Run = { leased: l, handle: this.handle };
      closeAttempts(entry!, m.now, 'expired');
      addRecord(entry!, { type: 'attempt', attempt: entry!.attempts, startedAt: new Date(m.now), finishedAt: undefined, outcome: 'running', error: undefined }, run);
      entry!.holder = run;
      entry!.expired = false;
      m.runs.push(run);
    }
  }
  toString = () => `lease(${this.handle}, ${this.limit})`;
}

/** Picks one of the runs leased so far (stale ones included). */
abstract class OnRun implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.runs.length > 0;
  protected runOf(m: Model): { run: Run; entry: Entry | undefined; holds: boolean } {
    const run = m.runs[this.pick % m.runs.length];
    const entry = m.entries.get(run.leased.key);
    const holds = entry !== undefined && entry.state === 'pending' && entry.holder === run;
    return { run, entry, holds };
  }
  abstract run(m: Model, r: Real): Promise<void>;
}

class Renew extends OnRun {
  override async run(m: Model, r: Real) {
    const { run, entry, holds } = this.runOf(m);
    expect(await r.storages.handles[run.handle].renew(run.leased, m.now, LEASE_MS)).toBe(holds);
    if (holds) entry!.expired = false;
  }
  override toString = () => `renew(#${this.pick})`;
}

class Succeed extends OnRun {
  override async run(m: Model, r: Real) {
    const { run, entry, holds } = this.runOf(m);
    expect(await r.storages.handles[run.handle].complete(run.leased, m.now)).toBe(holds);
    if (holds) {
      closeAttempts(entry!, m.now, 'delivered', run);
      Object.assign(entry!, { state: 'done', holder: undefined });
    }
  }
  override toString = () => `succeed(#${this.pick})`;
}

class Fail extends OnRun {
  override async run(m: Model, r: Real) {
    const { run, entry, holds } = this.runOf(m);
    const storage = r.storages.handles[run.handle];
    // What the delivery worker decides, from what the lease says.
    const decision = decideRetry(POLICY, run.leased.attempt, run.leased.budgetFrom, m.now, HALF);
    if (holds) closeAttempts(entry!, m.now, 'failed', run, 'HANDLER_FAILED: x');
    if (decision.dead) {
      expect(await storage.bury(run.leased, m.now, 'HANDLER_FAILED: x')).toBe(holds);
      if (holds) Object.assign(entry!, { state: 'dead', holder: undefined });
    } else {
      expect(await storage.retry(run.leased, decision.nextAttemptAt, 'HANDLER_FAILED: x', m.now)).toBe(holds);
      if (holds) Object.assign(entry!, { nextAttemptAt: decision.nextAttemptAt, holder: undefined });
    }
    // The budget: never dead before maxAttempts unless past maxAge, always dead at maxAttempts.
    if (run.leased.attempt >= POLICY.maxAttempts) expect(decision.dead).toBe(true);
  }
  override toString = () => `fail(#${this.pick})`;
}

class Expire implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real) {
    await r.storages.expire();
    m.now += LEASE_MS + 1;
    for (const entry of m.entries.values()) if (entry.holder !== undefined) entry.expired = true;
  }
  toString = () => 'expire';
}

class Tick implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: Model) {
    m.now += this.ms;
  }
  toString = () => `tick(${this.ms})`;
}

class Replay implements fc.AsyncCommand<Model, Real> {
  constructor(readonly key: string | 'dead') {}
  check = () => true;
  async run(m: Model, r: Real) {
    const replayed = await r.storages.handles[1].replay(this.key === 'dead' ? 'dead' : [this.key], m.now);
    const expected = [...m.entries]
      .filter(([key, entry]) => (this.key === 'dead' ? entry.state === 'dead' : key === this.key && entry.state !== 'done'))
      .map(([key]) => key);
    expect([...replayed].sort()).toEqual(expected.sort());
    for (const key of replayed) {
      const entry = m.entries.get(key)!;
      Object.assign(entry, { state: 'pending', attempts: 0, nextAttemptAt: m.now, budgetFrom: m.now });
      addRecord(entry, { type: 'replay', at: new Date(m.now) });
    }
  }
  toString = () => `replay(${this.key})`;
}

class Purge implements fc.AsyncCommand<Model, Real> {
  constructor(readonly state: 'done' | 'dead') {}
  check = () => true;
  async run(m: Model, r: Real) {
    const doomed = [...m.entries].filter(([, entry]) => entry.state === this.state).map(([key]) => key);
    expect(await r.storages.handles[0].purge({ state: this.state })).toBe(doomed.length);
    for (const key of doomed) m.entries.delete(key);
  }
  toString = () => `purge(${this.state})`;
}

/** After every command: each entry as the model has it, and nothing more. */
async function agree(m: Model, r: Real): Promise<void> {
  const all = await r.storages.handles[1].list({ state: 'all', limit: 1000 });
  const expected = [...m.entries].sort(([ka, a], [kb, b]) => a.storedAt - b.storedAt || (ka < kb ? -1 : 1));
  expect(all.map((e) => e.key)).toEqual(expected.map(([key]) => key));
  for (const [key, entry] of expected) {
    const real = all.find((e) => e.key === key)!;
    expect({ key, state: real.state, attempts: real.attempts }).toEqual({ key, state: entry.state, attempts: entry.attempts });
    if (entry.state === 'pending') expect(real.nextAttemptAt?.getTime()).toBe(entry.nextAttemptAt);
  }
  // Every key's history, purged ones included (none left behind).
  for (const key of KEYS) {
    const history = await r.storages.handles[0].history(key);
    expect({ key, history }).toEqual({ key, history: m.entries.get(key)?.history.map((item) => item.record) ?? [] });
  }
}

/** Nothing lost: with time passing and every run succeeding, every pending entry is delivered. */
async function drain(m: Model, r: Real): Promise<void> {
  for (let round = 0; round < 20 && [...m.entries.values()].some((e) => e.state === 'pending'); round++) {
    await new Expire().run(m, r);
    for (const handle of [0, 1] as const) {
      const before = m.runs.length;
      await new Lease(handle, 100).run(m, r);
      for (let i = before; i < m.runs.length; i++) await new Succeed(i).run(m, r);
    }
  }
  expect([...m.entries.values()].filter((e) => e.state === 'pending')).toEqual([]);
  await agree(m, r);
  // Purged with their entries: no history left behind.
  for (const state of ['done', 'dead'] as const) await new Purge(state).run(m, r);
  await agree(m, r);
}

export function describeStorageModel(name: string, open: () => Promise<ModelStorages>, numRuns: number): void {
  test(`${name}: random interleavings of put, lease, renew, settle, expiry, replay and purge agree with the model`, async () => {
    const key = fc.constantFrom(...KEYS);
    const commands = fc.commands(
      [
        key.map((k) => new Put(k)),
        fc.tuple(key, fc.constantFrom<0 | 1>(0, 1)).map(([k, handle]) => new PutLeased(k, handle)),
        fc.tuple(fc.constantFrom<0 | 1>(0, 1), fc.integer({ min: 1, max: 3 })).map(([handle, limit]) => new Lease(handle, limit)),
        fc.nat().map((i) => new Renew(i)),
        fc.nat().map((i) => new Succeed(i)),
        fc.nat().map((i) => new Fail(i)),
        fc.constant(new Expire()),
        fc.integer({ min: 1, max: 12_000 }).map((ms) => new Tick(ms)),
        fc.oneof(key, fc.constant('dead' as const)).map((k) => new Replay(k)),
        fc.constantFrom<'done' | 'dead'>('done', 'dead').map((state) => new Purge(state)),
      ],
      { maxCommands: 30 },
    );
    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        const storages = await open();
        const real: Real = { storages };
        const model: Model = { leasesAtPut: typeof storages.handles[0].putLeased === 'function', now: 1_000_000, entries: new Map(), runs: [] };
        try {
          for (const command of cmds) {
            if (!command.check(model)) continue;
            await command.run(model, real);
            await agree(model, real);
          }
          await drain(model, real);
        } finally {
          await storages.close();
        }
      }),
      { numRuns },
    );
  });
}
