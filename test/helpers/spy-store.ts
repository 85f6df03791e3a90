import { MemoryDedupStore, type DedupStore } from '../../lib';

export interface SpyStore extends DedupStore {
  /** The keys claimed, in order: "nothing stored" is checkable. */
  claims: string[];
  /** Resolves with the key once the next `complete` (or `release`) has been recorded: a wait for a late run, without sleeping. */
  next(step: 'complete' | 'release'): Promise<string>;
}

/** A memory store that records what it was asked to do. */
export function spyStore(): SpyStore {
  const memory = new MemoryDedupStore();
  const claims: string[] = [];
  const waiting = { complete: [] as Array<(key: string) => void>, release: [] as Array<(key: string) => void> };
  return {
    claims,
    next: (step) => new Promise<string>((resolve) => waiting[step].push(resolve)),
    claim: (key, ttl, token) => {
      claims.push(key);
      return memory.claim(key, ttl, token);
    },
    renew: (key, ttl, token) => memory.renew(key, ttl, token),
    complete: async (key, ttl, token) => {
      await memory.complete(key, ttl, token);
      for (const resolve of waiting.complete.splice(0)) resolve(key);
    },
    release: async (key, token) => {
      await memory.release(key, token);
      for (const resolve of waiting.release.splice(0)) resolve(key);
    },
  };
}
