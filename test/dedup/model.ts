import fc from 'fast-check';
import type { ClaimState, DedupStore } from '../../lib';

/**
 * A model of the dedup state machine, and random interleavings of claim /
 * renew / complete / release / lock expiry / clock advance run against a real
 * store and the model side by side (fast-check `fc.commands`). Every answer
 * the store gives must be the model's: in particular a claim is answered
 * 'in-flight' whenever another claim on the key lives (no two runs overlap),
 * and 'done' for doneTtlMs after a success, whatever happened meanwhile.
 *
 * Decided semantics: a stale token's `complete` marks the key done (its work
 * succeeded); its `renew` and `release` do nothing.
 */

interface Lock {
  token: string;
  expiresAt: number;
}

export class DedupModel {
  now = 0;
  readonly locks = new Map<string, Lock>();
  readonly done = new Map<string, number>();
  /** Every token that claimed each key, stale ones included: later commands pick among them. */
  readonly tokens = new Map<string, string[]>();
  private issued = 0;

  nextToken(): string {
    return `t${++this.issued}`;
  }

  isDone(key: string): boolean {
    return (this.done.get(key) ?? -Infinity) > this.now;
  }

  liveLock(key: string): Lock | undefined {
    const lock = this.locks.get(key);
    return lock !== undefined && lock.expiresAt > this.now ? lock : undefined;
  }

  tokenFor(key: string, pick: number): string {
    const claimed = this.tokens.get(key) ?? [];
    // One more than the claimed tokens: a token that never claimed this key.
    return pick % (claimed.length + 1) === claimed.length ? 'never-claimed' : claimed[pick % (claimed.length + 1)];
  }
}

/** The store under test and how to force what the model does to it. */
export interface Real {
  store: DedupStore;
  /** Make the key's lock lapse now (a done marker is left alone). */
  expireLock?(key: string): Promise<void>;
  /** Move the store's clock on (stores with an injected clock). */
  advance?(ms: number): void;
}

export interface ModelRunOptions {
  keys: readonly string[];
  /** Lock and done TTLs to draw from, in ms. */
  lockTtlMs: fc.Arbitrary<number>;
  doneTtlMs: fc.Arbitrary<number>;
  /** Clock advances to draw from, where the real store has an injected clock. */
  advanceMs?: fc.Arbitrary<number>;
  canExpireLock: boolean;
}

type Command = fc.AsyncCommand<DedupModel, Real>;

class Claim implements Command {
  constructor(
    readonly key: string,
    readonly lockTtlMs: number,
  ) {}
  check = () => true;
  async run(model: DedupModel, real: Real): Promise<void> {
    const token = model.nextToken();
    const expected: ClaimState = model.isDone(this.key) ? 'done' : model.liveLock(this.key) !== undefined ? 'in-flight' : 'claimed';
    expect(await real.store.claim(this.key, this.lockTtlMs, token)).toBe(expected);
    if (expected !== 'claimed') return;
    model.locks.set(this.key, { token, expiresAt: model.now + this.lockTtlMs });
    model.tokens.set(this.key, [...(model.tokens.get(this.key) ?? []), token]);
  }
  toString = () => `claim(${this.key}, ${this.lockTtlMs})`;
}

class Renew implements Command {
  constructor(
    readonly key: string,
    readonly pick: number,
    readonly lockTtlMs: number,
  ) {}
  check = () => true;
  async run(model: DedupModel, real: Real): Promise<void> {
    const token = model.tokenFor(this.key, this.pick);
    const lock = model.liveLock(this.key);
    const held = lock?.token === token;
    expect(await real.store.renew(this.key, this.lockTtlMs, token)).toBe(held);
    if (held) lock!.expiresAt = model.now + this.lockTtlMs;
  }
  toString = () => `renew(${this.key}, #${this.pick}, ${this.lockTtlMs})`;
}

class Complete implements Command {
  constructor(
    readonly key: string,
    readonly pick: number,
    readonly doneTtlMs: number,
  ) {}
  // Only a token that claimed the key ran its handler, and only such a run completes.
  check = (model: Readonly<DedupModel>) => (model.tokens.get(this.key)?.length ?? 0) > 0;
  async run(model: DedupModel, real: Real): Promise<void> {
    const claimed = model.tokens.get(this.key)!;
    await real.store.complete(this.key, this.doneTtlMs, claimed[this.pick % claimed.length]);
    model.locks.delete(this.key);
    model.done.set(this.key, model.now + this.doneTtlMs);
  }
  toString = () => `complete(${this.key}, #${this.pick}, ${this.doneTtlMs})`;
}

class Release implements Command {
  constructor(
    readonly key: string,
    readonly pick: number,
  ) {}
  check = () => true;
  async run(model: DedupModel, real: Real): Promise<void> {
    const token = model.tokenFor(this.key, this.pick);
    await real.store.release(this.key, token);
    if (model.liveLock(this.key)?.token === token) model.locks.delete(this.key);
  }
  toString = () => `release(${this.key}, #${this.pick})`;
}

class ExpireLock implements Command {
  constructor(readonly key: string) {}
  check = () => true;
  async run(model: DedupModel, real: Real): Promise<void> {
    await real.expireLock!(this.key);
    model.locks.delete(this.key);
  }
  toString = () => `expireLock(${this.key})`;
}

class Advance implements Command {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(model: DedupModel, real: Real): Promise<void> {
    real.advance!(this.ms);
    model.now += this.ms;
  }
  toString = () => `advance(${this.ms})`;
}

export function dedupCommands(options: ModelRunOptions): fc.Arbitrary<Iterable<Command>> {
  const key = fc.constantFrom(...options.keys);
  const pick = fc.nat({ max: 20 });
  const commands: fc.Arbitrary<Command>[] = [
    fc.tuple(key, options.lockTtlMs).map(([k, ttl]) => new Claim(k, ttl)),
    fc.tuple(key, pick, options.lockTtlMs).map(([k, p, ttl]) => new Renew(k, p, ttl)),
    fc.tuple(key, pick, options.doneTtlMs).map(([k, p, ttl]) => new Complete(k, p, ttl)),
    fc.tuple(key, pick).map(([k, p]) => new Release(k, p)),
  ];
  if (options.canExpireLock) commands.push(key.map((k) => new ExpireLock(k)));
  if (options.advanceMs !== undefined) commands.push(options.advanceMs.map((ms) => new Advance(ms)));
  return fc.commands(commands, { maxCommands: 60, size: 'max' });
}

/** Runs `numRuns` random interleavings; `makeReal` gives each its own fresh store state. */
export async function checkAgainstModel(options: ModelRunOptions, makeReal: () => Real | Promise<Real>, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(dedupCommands(options), async (commands) => {
      const real = await makeReal();
      await fc.asyncModelRun(() => ({ model: new DedupModel(), real }), commands);
    }),
    { numRuns },
  );
}
