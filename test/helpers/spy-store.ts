import { MemoryDedupStore, type DedupStore } from '../../lib';

/** A memory store that records the keys claimed: "nothing stored" is checkable. */
export function spyStore(): DedupStore & { claims: string[] } {
  const memory = new MemoryDedupStore();
  const claims: string[] = [];
  return {
    claims,
    claim: (key, ttl, token) => {
      claims.push(key);
      return memory.claim(key, ttl, token);
    },
    renew: (key, ttl, token) => memory.renew(key, ttl, token),
    complete: (key, ttl, token) => memory.complete(key, ttl, token),
    release: (key, token) => memory.release(key, token),
  };
}
