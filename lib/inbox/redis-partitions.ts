/**
 * Where a RedisInbox's keys live. Every key of one partition shares one hash
 * tag, so each script (which touches an entry, its stream and the state
 * indexes together) stays on one Redis Cluster slot; the partitions have
 * different tags, so a cluster spreads them over its masters. Partition 0 is
 * `{prefix}`, the layout of an inbox without partitions.
 */
export class RedisInboxPartition {
  constructor(
    readonly index: number,
    /** `{prefix}` or `{prefix#<index>}`: the hash tag every key of the partition starts with. */
    readonly base: string,
  ) {}

  entry(key: string): string {
    return `${this.base}:entry:${key}`;
  }

  /** The entry's attempt history, in the entry's slot. */
  history(key: string): string {
    return `${this.base}:attempts:${key}`;
  }

  stream(provider: string): string {
    return `${this.base}:stream:${provider}`;
  }

  state(name: 'pending' | 'retry' | 'done' | 'dead'): string {
    return `${this.base}:${name}`;
  }
}

/** The most partitions an inbox may have: each one costs every delivery round a few round trips. */
export const MAX_PARTITIONS = 64;

export function makePartitions(prefix: string, count: number): RedisInboxPartition[] {
  return Array.from({ length: count }, (_, i) => new RedisInboxPartition(i, i === 0 ? `{${prefix}}` : `{${prefix}#${i}}`));
}

/** The partition an entry key belongs to: FNV-1a of the key, so every process of the app agrees. */
export function partitionIndexOf(key: string, count: number): number {
  if (count === 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % count;
}
