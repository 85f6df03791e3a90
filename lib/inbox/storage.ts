import type { InboxAttemptOutcome, InboxCount, InboxEntry, InboxHistoryRecord, InboxListOptions, InboxPurgeOptions, InboxState } from './inbox';
import type { PostgresClient } from '../postgres/types';
import { reviveEvent } from './serialize';

/** An entry handed to one worker for one attempt. */
export interface LeasedEntry {
  key: string;
  provider: string;
  /** The serialized event (lib/inbox/serialize.ts). */
  event: string;
  /** Attempts including this one: counted when leased, so a crash mid-attempt counts too. */
  attempt: number;
  /** When its attempt budget started (ms): when it was stored, or last replayed. Max age is measured from here. */
  budgetFrom: number;
  /** Proves the lease when the outcome is recorded; a stale lease records nothing. Unique to this lease, opaque. */
  lease: string;
}

/**
 * A backend (SQLite, Redis). Every write resolves only once it is durable in
 * that backend's terms. Outcome writes (`complete`, `retry`, `bury`) and
 * `renew` act only while `lease` still holds the entry and return whether it did.
 */
export interface InboxStorage {
  put(key: string, provider: string, event: string, now: number): Promise<'stored' | 'duplicate'>;
  /**
   * Optional: `put`, and when the entry is new, its first attempt leased at
   * once to the caller (until `now + leaseMs`), in the same write: the
   * worker that stored it delivers it without a lease round. Leased as by
   * `lease` in every respect (attempt 1, its history record, lost if it runs
   * out); nothing is leased for a duplicate.
   */
  putLeased?(key: string, provider: string, event: string, now: number, leaseMs: number): Promise<LeasedEntry | 'duplicate'>;
  /**
   * Up to `limit` due pending entries of these providers, leased until `now + leaseMs`.
   * `sweep: false` (a round woken by a put, or by a slot freed): a backend
   * whose look for due retries and for leases that ran out is a separate,
   * costly step (Redis: two more round trips) may skip that step; the worker
   * still sweeps at least every poll interval. Default true.
   */
  lease(providers: readonly string[], limit: number, now: number, leaseMs: number, sweep?: boolean): Promise<LeasedEntry[]>;
  renew(entry: LeasedEntry, now: number, leaseMs: number): Promise<boolean>;
  complete(entry: LeasedEntry, now: number): Promise<boolean>;
  /**
   * A run that succeeded after its lease was given up (past the consumer's
   * hardTimeoutMs): the work is done, so the entry becomes done whatever
   * attempt or lease it is at now, pending or dead; false when it already was
   * done (a retry succeeded first) or is gone.
   */
  completeLate(entry: LeasedEntry, now: number): Promise<boolean>;
  retry(entry: LeasedEntry, nextAttemptAt: number, error: string, now: number): Promise<boolean>;
  bury(entry: LeasedEntry, now: number, error: string): Promise<boolean>;
  /** Deletes done entries finished before `before` (housekeeping). */
  prune(before: number): Promise<void>;

  list(options: InboxListOptions): Promise<InboxEntry[]>;
  get(key: string): Promise<InboxEntry | undefined>;
  /**
   * The entry's last HISTORY_LIMIT attempts and replays, oldest first; empty
   * for an unknown key. Each record is written by the same transaction (or
   * script) as the state change it records: `lease` starts an attempt (and
   * marks an attempt whose lease ran out `expired`), the outcome writes close
   * it, `replay` adds a replay; `prune` and `purge` delete it with its entry.
   */
  history(key: string): Promise<InboxHistoryRecord[]>;
  /** Entries per provider and state, sorted by provider then state; no zero counts. */
  counts(): Promise<InboxCount[]>;
  /** Dead or pending entries become due now with a fresh attempt budget (attempts and age counted from `now`); returns the keys it replayed. */
  replay(keys: readonly string[] | 'dead', now: number): Promise<string[]>;
  /** Returns how many entries it deleted. */
  purge(options: InboxPurgeOptions): Promise<number>;
  close(): Promise<void>;
  /**
   * A storage that can run a delivery inside a transaction of its own
   * database (PostgreSQL), for the middleware's `transactional: true`: runs
   * `work(db)`, then marks the entry done in that same transaction, so the
   * work's writes through `db` and "delivered" commit together or not at all.
   * Resolves true once committed; false when `entry.lease` no longer held the
   * entry (another worker took it over: everything was rolled back). Rejects,
   * after rolling back, with the work's error when it throws, or with the
   * storage's error. `now` is read when the done marker is written.
   */
  runDelivery?(entry: LeasedEntry, work: (db: PostgresClient) => Promise<void>, now: () => number): Promise<boolean>;
}

/** Whether deliveries on this storage can run in its transaction (`runDelivery`). */
export function runsDeliveriesInTransaction(storage: InboxStorage): storage is InboxStorage & Required<Pick<InboxStorage, 'runDelivery'>> {
  return typeof storage.runDelivery === 'function';
}

/** How many entries `list` returns when no limit is given. */
export const LIST_LIMIT = 100;

/** The states `list` shows: pending and dead by default, done too for 'all'. */
export function listedStates(options: InboxListOptions): InboxState[] {
  return options.state === undefined ? ['pending', 'dead'] : options.state === 'all' ? ['pending', 'dead', 'done'] : [options.state];
}

const STATE_ORDER: Record<InboxState, number> = { pending: 0, dead: 1, done: 2 };

/** The order `counts` returns: by provider, then pending, dead, done. */
export function sortCounts(counts: InboxCount[]): InboxCount[] {
  return counts.sort((a, b) => (a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : STATE_ORDER[a.state] - STATE_ORDER[b.state]));
}

/** An entry as a backend stores it: times in ms, absent values undefined, the event serialized. */
export interface StoredEntry {
  key: string;
  provider: string;
  state: InboxState;
  attempts: number;
  storedAt: number;
  nextAttemptAt: number | undefined;
  finishedAt: number | undefined;
  lastError: string | undefined;
  event: string;
}

/** The entry `list` and `get` return; only a pending entry has a next attempt. */
export function toInboxEntry(stored: StoredEntry): InboxEntry {
  return {
    key: stored.key,
    provider: stored.provider,
    state: stored.state,
    attempts: stored.attempts,
    storedAt: new Date(stored.storedAt),
    nextAttemptAt: stored.state === 'pending' && stored.nextAttemptAt !== undefined ? new Date(stored.nextAttemptAt) : undefined,
    finishedAt: stored.finishedAt === undefined ? undefined : new Date(stored.finishedAt),
    lastError: stored.lastError,
    event: reviveEvent(stored.event),
  };
}

/** How many records (attempts and replays) each entry's history keeps: the newest. */
export const HISTORY_LIMIT = 20;

/** A history record as a backend stores it: a replay is a record of outcome 'replayed' (attempt 0, started at the replay). */
export interface StoredHistoryRecord {
  attempt: number;
  outcome: InboxAttemptOutcome | 'replayed';
  startedAt: number;
  finishedAt: number | undefined;
  error: string | undefined;
}

export function toHistoryRecord(stored: StoredHistoryRecord): InboxHistoryRecord {
  if (stored.outcome === 'replayed') return { type: 'replay', at: new Date(stored.startedAt) };
  return {
    type: 'attempt',
    attempt: stored.attempt,
    startedAt: new Date(stored.startedAt),
    finishedAt: stored.finishedAt === undefined ? undefined : new Date(stored.finishedAt),
    outcome: stored.outcome,
    error: stored.error,
  };
}
