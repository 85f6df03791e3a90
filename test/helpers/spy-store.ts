import { MemoryDedupStore, type DedupStore } from '../../lib';

export interface SpyStore extends DedupStore {
  /** The keys claimed, in order: "nothing stored" is checkable. */
  claims: string[];
  /** Resolves with the key once the next `complete` has been recorded: a wait for a late run, without sleeping. */
  nextComplete(): Promise<string>;
}

/** A memory store that records what it was asked to do. */
export function spyStore(): SpyStore {
  const memory = new MemoryDedupStore();
  const claims: string[] = [];
  const waiting: Array<(key: string) => void> = [];
  return {
    claims,
    nextComplete: () => new Promise<string>((resolve) => waiting.push(resolve)),
    claim: (key, ttl, token) => {
      claims.push(key);
      return memory.claim(key, ttl, token);
    },
    complete: async (key, ttl, token) => {
      await memory.complete(key, ttl, token);
      for (const resolve of waiting.splice(0)) resolve(key);
    },
    release: (key, token) => memory.release(key, token),
  };
}
