/**
 * PostgresDedupStore against a model, with fast-check: random sequences of
 * claim, renew, complete, release and transactional runs (succeeding or
 * failing) on a few keys and tokens, each answer compared with the model's.
 * TTLs are long here: expiry has its own tests (the conformance suite).
 */
import fc from 'fast-check';
import { PostgresDedupStore } from '../../lib';
import { Pool } from 'pg';
import { checkAgainstModel } from '../dedup/model';
import { describeWithPostgres, startPostgresServer, type PostgresServer } from '../helpers/postgres-server';

type Held = { done: true } | { done: false; token: string };
interface Model {
  keys: Map<string, Held>;
}
interface Real {
  store: PostgresDedupStore;
  prefix: string;
}

const TTL = 60_000;
const keyArb = fc.constantFrom('k1', 'k2', 'k3');
const tokenArb = fc.constantFrom('a', 'b', 'c');

class Claim implements fc.AsyncCommand<Model, Real> {
  constructor(readonly key: string, readonly token: string) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const held = model.keys.get(this.key);
    const expected = held === undefined ? 'claimed' : held.done ? 'done' : 'in-flight';
    if (held === undefined) model.keys.set(this.key, { done: false, token: this.token });
    expect(await real.store.claim(real.prefix + this.key, TTL, this.token)).toBe(expected);
  }
  toString = () => `claim(${this.key}, ${this.token})`;
}

class Renew implements fc.AsyncCommand<Model, Real> {
  constructor(readonly key: string, readonly token: string) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const held = model.keys.get(this.key);
    expect(await real.store.renew(real.prefix + this.key, TTL, this.token)).toBe(held !== undefined && !held.done && held.token === this.token);
  }
  toString = () => `renew(${this.key}, ${this.token})`;
}

class Complete implements fc.AsyncCommand<Model, Real> {
  constructor(readonly key: string, readonly token: string) {}
  check = () => true;
  async run(model: Model, real: Real) {
    model.keys.set(this.key, { done: true });
    await real.store.complete(real.prefix + this.key, TTL, this.token);
  }
  toString = () => `complete(${this.key}, ${this.token})`;
}

class Release implements fc.AsyncCommand<Model, Real> {
  constructor(readonly key: string, readonly token: string) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const held = model.keys.get(this.key);
    if (held !== undefined && !held.done && held.token === this.token) model.keys.delete(this.key);
    await real.store.release(real.prefix + this.key, this.token);
  }
  toString = () => `release(${this.key}, ${this.token})`;
}

class RunExclusive implements fc.AsyncCommand<Model, Real> {
  constructor(readonly key: string, readonly succeeds: boolean) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const held = model.keys.get(this.key);
    let ran = false;
    const outcome = real.store.runExclusive(real.prefix + this.key, TTL, async () => {
      ran = true;
      if (!this.succeeds) throw new Error('work failed');
    });
    if (held !== undefined) {
      expect(await outcome).toBe(held.done ? 'done' : 'in-flight');
      expect(ran).toBe(false);
      return;
    }
    if (this.succeeds) {
      expect(await outcome).toBe('ran');
      model.keys.set(this.key, { done: true });
    } else {
      await expect(outcome).rejects.toThrow('work failed');
    }
    expect(ran).toBe(true);
  }
  toString = () => `runExclusive(${this.key}, ${this.succeeds ? 'ok' : 'fails'})`;
}

describeWithPostgres('PostgresDedupStore, model-based', () => {
  let server: PostgresServer;
  let store: PostgresDedupStore;
  beforeAll(async () => {
    server = await startPostgresServer();
    store = new PostgresDedupStore({ connectionString: server.url });
  });
  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });

  test('every answer is the model’s, whatever the sequence', async () => {
    let runs = 0;
    const commands = [
      fc.tuple(keyArb, tokenArb).map(([k, t]) => new Claim(k, t)),
      fc.tuple(keyArb, tokenArb).map(([k, t]) => new Renew(k, t)),
      fc.tuple(keyArb, tokenArb).map(([k, t]) => new Complete(k, t)),
      fc.tuple(keyArb, tokenArb).map(([k, t]) => new Release(k, t)),
      fc.tuple(keyArb, fc.boolean()).map(([k, ok]) => new RunExclusive(k, ok)),
    ];
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 25 }), async (cmds) => {
        const setup = () => ({ model: { keys: new Map() }, real: { store, prefix: `run${runs++}:` } });
        await fc.asyncModelRun(setup, cmds);
      }),
      { numRuns: 40 },
    );
  }, 60_000);

  test('the shared dedup model: claim, renew, complete, release and forced lock expiry', async () => {
    const admin = new Pool({ connectionString: server.url });
    let run = 0;
    try {
      await checkAgainstModel(
        { keys: ['pay247:a', 'pay247:b'], lockTtlMs: fc.constant(60_000), doneTtlMs: fc.constant(60_000), canExpireLock: true },
        () => {
          const prefix = `shared${++run}:`;
          return {
            store: {
              claim: (key, ttl, token) => store.claim(prefix + key, ttl, token),
              renew: (key, ttl, token) => store.renew(prefix + key, ttl, token),
              complete: (key, ttl, token) => store.complete(prefix + key, ttl, token),
              release: (key, token) => store.release(prefix + key, token),
            },
            // The lock's time runs out; a done marker is left alone.
            expireLock: async (key) => void (await admin.query('UPDATE epw_dedup SET expires_at = now() - interval \'1 second\' WHERE key = $1 AND NOT done', [prefix + key])),
          };
        },
        40,
      );
    } finally {
      await admin.end();
    }
  }, 60_000);
});
