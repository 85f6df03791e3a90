import type { ClaimState, DedupStore } from './store';

export interface MemoryDedupStoreOptions {
  /** How many done markers to keep at most; the least recently written go first. Default 100 000. */
  maxEntries?: number;
  /** The clock, in ms; tests inject one. */
  now?: () => number;
}

interface Lock {
  token: string;
  expiresAt: number;
}

/**
 * Done markers written in one stretch of time. Each keeps its expiry as ms
 * after `since`: a small integer (a V8 Smi) while the generation is younger
 * than ~3 weeks, where an absolute timestamp is a heap-allocated number, one
 * more object per marker for every garbage collection to walk.
 */
interface Generation {
  since: number;
  markers: Map<string, number>;
}

/**
 * Dedup for one process. Locks (requests in flight) and done markers live
 * apart: locks are few and must never be evicted while a handler runs; done
 * markers are many and are bounded.
 *
 * The bound uses two generations of Maps instead of deleting the oldest entry
 * one at a time: V8 leaves a hole per deleted Map entry and `keys().next()`
 * walks them, which makes front-deletion at 100 000 entries ~50x slower.
 * Dropping a whole generation is O(1) amortised.
 */
export class MemoryDedupStore implements DedupStore {
  private readonly locks = new Map<string, Lock>();
  private current: Generation;
  private previous: Generation;
  private readonly generationSize: number;
  private readonly now: () => number;

  constructor(options: MemoryDedupStoreOptions = {}) {
    const maxEntries = options.maxEntries ?? 100_000;
    if (!Number.isInteger(maxEntries) || maxEntries < 2) {
      throw new TypeError('MemoryDedupStore: maxEntries must be an integer of at least 2.');
    }
    this.generationSize = Math.ceil(maxEntries / 2);
    this.now = options.now ?? Date.now;
    this.current = { since: this.now(), markers: new Map() };
    this.previous = { since: this.current.since, markers: new Map() };
  }

  claim(key: string, lockTtlMs: number, token: string): Promise<ClaimState> {
    return Promise.resolve(this.claimSync(key, lockTtlMs, token));
  }

  renew(key: string, lockTtlMs: number, token: string): Promise<boolean> {
    const now = this.now();
    const lock = this.locks.get(key);
    // No lock outlives its key being done (complete deletes it), so a held lock means not done.
    const held = lock !== undefined && lock.token === token && lock.expiresAt > now;
    if (held) lock.expiresAt = now + lockTtlMs;
    return Promise.resolve(held);
  }

  /** Whatever lock holds the key goes: once done, the key is answered 'done' to every claim. */
  complete(key: string, doneTtlMs: number, _token: string): Promise<void> {
    this.locks.delete(key);
    this.remember(key, this.now() + doneTtlMs);
    return Promise.resolve();
  }

  release(key: string, token: string): Promise<void> {
    if (this.locks.get(key)?.token === token) this.locks.delete(key);
    return Promise.resolve();
  }

  /** Done markers plus locks currently held (for tests and metrics). */
  get size(): number {
    return this.current.markers.size + this.previous.markers.size + this.locks.size;
  }

  private claimSync(key: string, lockTtlMs: number, token: string): ClaimState {
    const now = this.now();
    if (this.isDone(key, now)) return 'done';
    const lock = this.locks.get(key);
    if (lock !== undefined && lock.expiresAt > now) return 'in-flight';
    if (lock === undefined && this.locks.size >= this.generationSize) this.sweepExpiredLocks(now);
    this.locks.set(key, { token, expiresAt: now + lockTtlMs });
    return 'claimed';
  }

  private isDone(key: string, now: number): boolean {
    const inCurrent = this.current.markers.get(key);
    if (inCurrent !== undefined) return inCurrent > now - this.current.since;
    const inPrevious = this.previous.markers.get(key);
    return inPrevious !== undefined && inPrevious > now - this.previous.since;
  }

  private remember(key: string, expiresAt: number): void {
    // A stale marker for this key in the previous generation can stay: isDone reads the current one first.
    this.current.markers.set(key, expiresAt - this.current.since);
    if (this.current.markers.size >= this.generationSize) {
      this.previous = this.current;
      this.current = { since: this.now(), markers: new Map() };
    }
  }

  private sweepExpiredLocks(now: number): void {
    for (const [key, lock] of this.locks) if (lock.expiresAt <= now) this.locks.delete(key);
  }
}
