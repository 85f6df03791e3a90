/**
 * The per-account credentials cache on its own, with an injected clock:
 * TTLs, the shorter "unknown" TTL, single-flight, failures never kept, the
 * size bound (known and unknown apart), and a model-based run of random
 * interleavings against a plain reference.
 */
import fc from 'fast-check';
import { CredentialsCache } from '../../lib/core/credentials-cache';
import { deferred } from '../helpers/async';

function cacheWithClock(options: { ttlMs?: number; unknownTtlMs?: number; maxEntries?: number } = {}) {
  const clock = { now: 1_000_000 };
  const cache = new CredentialsCache<string>({ ttlMs: 60_000, unknownTtlMs: 5_000, maxEntries: 100, ...options, now: () => clock.now });
  return { clock, cache };
}

describe('CredentialsCache', () => {
  test('credentials are kept for ttlMs, unknown accounts for unknownTtlMs', async () => {
    const { clock, cache } = cacheWithClock();
    await cache.load('a', async () => 'key-a');
    await cache.load('b', async () => undefined);
    expect(cache.peek('a')).toEqual({ known: true, credentials: 'key-a' });
    expect(cache.peek('b')).toEqual({ known: false });
    clock.now += 4_999;
    expect(cache.peek('b')).toEqual({ known: false });
    clock.now += 1;
    expect(cache.peek('b')).toBeUndefined();
    clock.now += 55_000 - 1;
    expect(cache.peek('a')).toEqual({ known: true, credentials: 'key-a' });
    clock.now += 1;
    expect(cache.peek('a')).toBeUndefined();
  });

  test('ttlMs 0 keeps nothing', async () => {
    const { cache } = cacheWithClock({ ttlMs: 0, unknownTtlMs: 0 });
    await cache.load('a', async () => 'key-a');
    await cache.load('b', async () => undefined);
    expect([cache.peek('a'), cache.peek('b')]).toEqual([undefined, undefined]);
    expect(cache.size).toEqual({ known: 0, unknown: 0 });
  });

  test('single-flight: lookups for one account while one is under way share it; another account has its own', async () => {
    const { cache } = cacheWithClock();
    const gate = deferred<string>();
    let calls = 0;
    const lookup = () => {
      calls++;
      return gate.promise;
    };
    const burst = Array.from({ length: 100 }, () => cache.load('a', lookup));
    const other = cache.load('b', async () => 'key-b');
    expect(calls).toBe(1);
    gate.resolve('key-a');
    expect(new Set(await Promise.all(burst))).toEqual(new Set(['key-a']));
    expect(await other).toBe('key-b');
  });

  test('a failed lookup is passed to every waiter and not kept: the next load looks up again', async () => {
    const { cache } = cacheWithClock();
    const gate = deferred<string>();
    const waiters = [cache.load('a', () => gate.promise), cache.load('a', () => gate.promise)];
    gate.reject(new Error('db down'));
    for (const waiter of waiters) await expect(waiter).rejects.toThrow('db down');
    expect(cache.peek('a')).toBeUndefined();
    await expect(cache.load('a', async () => 'key-a')).resolves.toBe('key-a');
  });

  test('bounded: the least recently used account goes first, and a flood of unknown accounts never evicts a known one', async () => {
    const { cache } = cacheWithClock({ maxEntries: 3 });
    for (const account of ['a', 'b', 'c']) await cache.load(account, async () => `key-${account}`);
    cache.peek('a');
    await cache.load('d', async () => 'key-d');
    expect(['a', 'b', 'c', 'd'].map((account) => cache.peek(account)?.known)).toEqual([true, undefined, true, true]);
    for (let i = 0; i < 1_000; i++) await cache.load(`random-${i}`, async () => undefined);
    expect(cache.size).toEqual({ known: 3, unknown: 3 });
    expect(['a', 'c', 'd'].map((account) => cache.peek(account)?.known)).toEqual([true, true, true]);
  });

  test('an account that became known is no longer unknown, and the other way round', async () => {
    const { cache } = cacheWithClock();
    await cache.load('a', async () => undefined);
    await cache.load('a', async () => 'key-a');
    expect(cache.peek('a')).toEqual({ known: true, credentials: 'key-a' });
    await cache.load('a', async () => undefined);
    expect(cache.peek('a')).toEqual({ known: false });
  });

  test('model: any interleaving of loads (found, unknown, failed), peeks and clock steps answers as the reference does', async () => {
    const ACCOUNTS = ['a', 'b', 'c', 'd', '__proto__'];
    const MAX = 3;
    interface Reference {
      now: number;
      known: Array<{ account: string; value: string; expiresAt: number }>;
      unknown: Array<{ account: string; expiresAt: number }>;
    }
    type Real = ReturnType<typeof cacheWithClock>;
    const fresh = <T extends { account: string; expiresAt: number }>(list: T[], account: string, now: number): T | undefined => {
      const at = list.findIndex((entry) => entry.account === account);
      if (at === -1) return undefined;
      const [entry] = list.splice(at, 1);
      if (entry.expiresAt <= now) return undefined;
      list.push(entry);
      return entry;
    };
    const put = <T extends { account: string }>(list: T[], entry: T) => {
      const at = list.findIndex((other) => other.account === entry.account);
      if (at !== -1) list.splice(at, 1);
      list.push(entry);
      if (list.length > MAX) list.shift();
    };
    const remove = <T extends { account: string }>(list: T[], account: string) => {
      const at = list.findIndex((entry) => entry.account === account);
      if (at !== -1) list.splice(at, 1);
    };

    class Peek implements fc.AsyncCommand<Reference, Real> {
      constructor(readonly account: string) {}
      check = () => true;
      async run(model: Reference, real: Real) {
        const known = fresh(model.known, this.account, model.now);
        const unknown = known === undefined ? fresh(model.unknown, this.account, model.now) : undefined;
        const expected = known !== undefined ? { known: true, credentials: known.value } : unknown !== undefined ? { known: false } : undefined;
        expect(real.cache.peek(this.account)).toEqual(expected);
      }
      toString = () => `peek(${this.account})`;
    }
    class Load implements fc.AsyncCommand<Reference, Real> {
      constructor(
        readonly account: string,
        readonly outcome: 'found' | 'unknown' | 'failed',
        readonly value: string,
      ) {}
      check = () => true;
      async run(model: Reference, real: Real) {
        const answer = real.cache.load(this.account, async () => {
          if (this.outcome === 'failed') throw new Error('down');
          return this.outcome === 'found' ? this.value : undefined;
        });
        if (this.outcome === 'failed') {
          await expect(answer).rejects.toThrow('down');
          return;
        }
        expect(await answer).toBe(this.outcome === 'found' ? this.value : undefined);
        if (this.outcome === 'found') {
          remove(model.unknown, this.account);
          put(model.known, { account: this.account, value: this.value, expiresAt: model.now + 60_000 });
        } else {
          remove(model.known, this.account);
          put(model.unknown, { account: this.account, expiresAt: model.now + 5_000 });
        }
      }
      toString = () => `load(${this.account}, ${this.outcome}, ${this.value})`;
    }
    class Step implements fc.AsyncCommand<Reference, Real> {
      constructor(readonly ms: number) {}
      check = () => true;
      async run(model: Reference, real: Real) {
        model.now += this.ms;
        real.clock.now += this.ms;
      }
      toString = () => `step(${this.ms})`;
    }

    const account = fc.constantFrom(...ACCOUNTS);
    const commands = [
      account.map((a) => new Peek(a)),
      fc.tuple(account, fc.constantFrom('found', 'found', 'unknown', 'failed') as fc.Arbitrary<'found' | 'unknown' | 'failed'>, fc.constantFrom('k1', 'k2')).map(([a, o, v]) => new Load(a, o, v)),
      fc.constantFrom(1, 1_000, 4_999, 5_000, 30_000, 60_000).map((ms) => new Step(ms)),
    ];
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 60, size: 'max' }), async (cmds) => {
        const real = cacheWithClock({ maxEntries: MAX });
        const model: Reference = { now: real.clock.now, known: [], unknown: [] };
        await fc.asyncModelRun(() => ({ model, real }), cmds);
      }),
      { numRuns: 200 },
    );
  });
});
