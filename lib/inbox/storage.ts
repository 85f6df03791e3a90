import type { InboxEntry, InboxListOptions, InboxPurgeOptions } from './inbox';

/** An entry handed to one worker for one attempt. */
export interface LeasedEntry {
  key: string;
  provider: string;
  /** The serialized event (lib/inbox/serialize.ts). */
  event: string;
  /** Attempts including this one: counted when leased, so a crash mid-attempt counts too. */
  attempt: number;
  /** When the inbox stored it (ms): max age is measured from here. */
  storedAt: number;
  /** Proves the lease when the outcome is recorded; a stale lease records nothing. */
  lease: string;
}

/**
 * A backend (SQLite, Redis). Every write resolves only once it is durable in
 * that backend's terms. Outcome writes (`complete`, `retry`, `bury`) and
 * `renew` act only while `lease` still holds the entry and return whether it did.
 */
export interface InboxStorage {
  put(key: string, provider: string, event: string, now: number): Promise<'stored' | 'duplicate'>;
  /** Up to `limit` due pending entries of these providers, leased until `now + leaseMs`. */
  lease(providers: readonly string[], limit: number, now: number, leaseMs: number): Promise<LeasedEntry[]>;
  renew(entry: LeasedEntry, now: number, leaseMs: number): Promise<boolean>;
  complete(entry: LeasedEntry, now: number): Promise<boolean>;
  retry(entry: LeasedEntry, nextAttemptAt: number, error: string): Promise<boolean>;
  bury(entry: LeasedEntry, now: number, error: string): Promise<boolean>;
  /** Deletes done entries finished before `before` (housekeeping). */
  prune(before: number): Promise<void>;

  list(options: InboxListOptions): Promise<InboxEntry[]>;
  get(key: string): Promise<InboxEntry | undefined>;
  /** Dead or pending entries become due now with their attempts reset; returns the keys it replayed. */
  replay(keys: readonly string[] | 'dead', now: number): Promise<string[]>;
  /** Returns how many entries it deleted. */
  purge(options: InboxPurgeOptions): Promise<number>;
  close(): Promise<void>;
}
