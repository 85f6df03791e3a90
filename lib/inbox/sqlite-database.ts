import { randomUUID } from 'node:crypto';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { requirePeer } from '../core/peer-dependency';
import type { InboxCount, InboxListOptions, InboxPurgeOptions, InboxState } from './inbox';
import { SqliteAttempts } from './sqlite-attempts';
import type { LeasedEntry, StoredHistoryRecord } from './storage';

/** An inbox row as SQLite returns it; it crosses to the main thread as is (structured clone). */
export interface SqliteRow {
  key: string;
  provider: string;
  event: string;
  state: InboxState;
  attempts: number;
  stored_at: number;
  next_attempt_at: number | null;
  finished_at: number | null;
  last_error: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS inbox (
  key TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  event TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  stored_at INTEGER NOT NULL,
  next_attempt_at INTEGER,
  lease TEXT,
  lease_until INTEGER,
  finished_at INTEGER,
  last_error TEXT,
  replayed_at INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS inbox_due ON inbox (state, provider, next_attempt_at);
CREATE INDEX IF NOT EXISTS inbox_finished ON inbox (state, finished_at);
`;

/** How long opening and writing wait for another connection's lock before failing. */
const BUSY_TIMEOUT_MS = 2000;

function openDatabase(path: string): SqliteDatabase {
  const Database = requirePeer<typeof import('better-sqlite3')>('better-sqlite3', 'SqliteInbox');
  // The busy timeout (better-sqlite3's `timeout`) lets another process (or the
  // CLI) hold the write lock for a moment. This runs on the inbox's own
  // thread: waiting for it never blocks the app.
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  turnOnWal(db);
  // FULL, not NORMAL: with WAL, NORMAL survives a crash of the process but may
  // lose the last commits on power loss or an OS crash, and the provider has
  // already been told "done" for what was committed. FULL syncs the WAL on
  // every commit: one fsync per group commit (lib/inbox/group-commit.ts).
  db.pragma('synchronous = FULL');
  db.exec(SCHEMA);
  addReplayedAt(db);
  return db;
}

/**
 * SQLite does not wait for the lock that turning WAL on takes: while another
 * connection writes to a rollback-journal file (another process creating the
 * same new file this instant, or an older inbox file in use), the switch fails
 * at once with SQLITE_BUSY, whatever the busy timeout. So it is tried again
 * within the same budget. Once a file is in WAL mode it stays so, and the
 * switch takes no lock at all.
 */
function turnOnWal(db: SqliteDatabase): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() + pause > deadline) throw error;
    }
    // Only ever on the inbox's own thread, which has nothing else to do until its file is open.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause);
  }
}

/** Files made before replays restarted the attempt budget lack `replayed_at`. */
function addReplayedAt(db: SqliteDatabase): void {
  const columns = db.prepare('SELECT name FROM pragma_table_info(\'inbox\')').all() as Array<{ name: string }>;
  if (columns.some((column) => column.name === 'replayed_at')) return;
  try {
    db.exec('ALTER TABLE inbox ADD COLUMN replayed_at INTEGER');
  } catch (error) {
    // Another process sharing the file added it first.
    if (!/duplicate column/i.test(String((error as Error)?.message))) throw error;
  }
}

/** What the thread needs of a leased entry to record its outcome: the event stays on the main thread (it is not sent again). */
export type LeaseRef = Pick<LeasedEntry, 'key' | 'lease'>;

/** better-sqlite3's transaction function over `(work) => work()`: one made per connection. */
type SqliteTransaction = ((work: () => unknown) => unknown) & { immediate(work: () => unknown): unknown };

/**
 * The inbox's SQL, synchronous: it runs only on the inbox's worker thread
 * (lib/inbox/sqlite-worker.ts), never on the app's event loop. Every
 * method is one request of lib/inbox/sqlite-client.ts, by name.
 */
export class SqliteInboxDatabase {
  private readonly db: SqliteDatabase;
  private readonly statements: Record<'put' | 'putLeased' | 'renew' | 'complete' | 'completeLate' | 'retry' | 'bury' | 'get' | 'replayKey' | 'replayDead' | 'lease' | 'list' | 'counts' | 'purge', Statement>;
  private readonly attempts: SqliteAttempts;
  /** Made once: db.transaction() builds four wrapper functions each time it is called. */
  private readonly transaction: SqliteTransaction;

  constructor(path: string) {
    this.db = openDatabase(path);
    this.transaction = this.db.transaction((work: () => unknown) => work()) as SqliteTransaction;
    this.attempts = new SqliteAttempts(this.db);
    const owned = 'WHERE key = @key AND lease = @lease AND state = \'pending\'';
    this.statements = {
      put: this.db.prepare(
        `INSERT INTO inbox (key, provider, event, state, attempts, stored_at, next_attempt_at)
         VALUES (@key, @provider, @event, 'pending', 0, @now, @now) ON CONFLICT (key) DO NOTHING`,
      ),
      putLeased: this.db.prepare(
        `INSERT INTO inbox (key, provider, event, state, attempts, stored_at, next_attempt_at, lease, lease_until)
         VALUES (@key, @provider, @event, 'pending', 1, @now, @now, @lease, @until) ON CONFLICT (key) DO NOTHING`,
      ),
      renew: this.db.prepare(`UPDATE inbox SET lease_until = @until ${owned}`),
      complete: this.db.prepare(
        `UPDATE inbox SET state = 'done', finished_at = @now, next_attempt_at = NULL, lease = NULL, lease_until = NULL, last_error = NULL ${owned}`,
      ),
      completeLate: this.db.prepare(
        `UPDATE inbox SET state = 'done', finished_at = @now, next_attempt_at = NULL, lease = NULL, lease_until = NULL, last_error = NULL
         WHERE key = @key AND state IN ('pending', 'dead')`,
      ),
      retry: this.db.prepare(`UPDATE inbox SET next_attempt_at = @next, last_error = @error, lease = NULL, lease_until = NULL ${owned}`),
      bury: this.db.prepare(
        `UPDATE inbox SET state = 'dead', finished_at = @now, next_attempt_at = NULL, last_error = @error, lease = NULL, lease_until = NULL ${owned}`,
      ),
      get: this.db.prepare('SELECT * FROM inbox WHERE key = ?'),
      list: this.db.prepare(
        `SELECT * FROM inbox WHERE state IN (SELECT value FROM json_each(@states)) AND (@provider IS NULL OR provider = @provider)
         ORDER BY stored_at, key LIMIT @limit`,
      ),
      counts: this.db.prepare('SELECT provider, state, COUNT(*) AS count FROM inbox GROUP BY provider, state'),
      purge: this.db.prepare('DELETE FROM inbox WHERE state = @state AND (@before IS NULL OR finished_at < @before)'),
      replayKey: this.db.prepare(
        `UPDATE inbox SET state = 'pending', attempts = 0, next_attempt_at = @now, replayed_at = @now, finished_at = NULL
         WHERE key = @key AND state IN ('pending', 'dead') RETURNING key`,
      ),
      replayDead: this.db.prepare(
        `UPDATE inbox SET state = 'pending', attempts = 0, next_attempt_at = @now, replayed_at = @now, finished_at = NULL WHERE state = 'dead' RETURNING key`,
      ),
      // One statement takes the due entries and leases them, so two processes
      // sharing the file cannot both take one (SQLite has one writer at a time).
      lease: this.db.prepare(
        `UPDATE inbox SET lease = @lease, lease_until = @until, attempts = attempts + 1
         WHERE key IN (
           SELECT key FROM inbox
           WHERE state = 'pending' AND provider IN (SELECT value FROM json_each(@providers))
             AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
           ORDER BY next_attempt_at LIMIT @limit)
         RETURNING key, provider, event, attempts, COALESCE(replayed_at, stored_at) AS budget_from`,
      ),
    };
  }

  /** Runs `work` as one write transaction: everything in it is committed with one fsync, or none of it. */
  inTransaction<T>(work: () => T): T {
    // IMMEDIATE: take the write lock first, so a reader turned writer cannot deadlock with another process.
    return this.transaction.immediate(work) as T;
  }

  /**
   * `work`'s statements all or none. Every call from the thread runs inside
   * a group commit's transaction already, and a throw there rolls the whole
   * commit back and runs each call again alone (lib/inbox/group-commit.ts):
   * a savepoint per call would add two statements and protect nothing more.
   */
  private atomically<T>(work: () => T): T {
    return this.db.inTransaction ? work() : (this.transaction(work) as T);
  }

  put(key: string, provider: string, event: string, now: number): 'stored' | 'duplicate' {
    return this.statements.put.run({ key, provider, event, now }).changes === 1 ? 'stored' : 'duplicate';
  }

  /** put, and a new entry is leased at once (its first attempt, under `lease`): see InboxStorage.putLeased. */
  putLeased(key: string, provider: string, event: string, now: number, lease: string, until: number): 'stored' | 'duplicate' {
    return this.atomically(() => {
      if (this.statements.putLeased.run({ key, provider, event, now, lease, until }).changes !== 1) return 'duplicate';
      this.attempts.startedFirst(key, lease, now);
      return 'stored';
    });
  }

  lease(providers: readonly string[], limit: number, now: number, leaseMs: number): LeasedEntry[] {
    const lease = randomUUID();
    const rows = this.atomically(() => {
      const leased = this.statements.lease.all({ lease, until: now + leaseMs, now, limit, providers: JSON.stringify(providers) }) as Array<SqliteRow & { budget_from: number }>;
      for (const row of leased) this.attempts.started(row.key, row.attempts, lease, now);
      return leased;
    });
    return rows.map((row) => ({ key: row.key, provider: row.provider, event: row.event, attempt: row.attempts, budgetFrom: row.budget_from, lease }));
  }

  renew(entry: LeaseRef, now: number, leaseMs: number): boolean {
    return this.statements.renew.run({ key: entry.key, lease: entry.lease, until: now + leaseMs }).changes === 1;
  }

  complete(entry: LeaseRef, now: number): boolean {
    return this.changeRecorded(this.statements.complete, { key: entry.key, lease: entry.lease, now }, () => this.attempts.finished(entry.key, entry.lease, 'delivered', now));
  }

  completeLate(entry: LeaseRef, now: number): boolean {
    return this.changeRecorded(this.statements.completeLate, { key: entry.key, now }, () => this.attempts.finishedLate(entry.key, entry.lease, now));
  }

  retry(entry: LeaseRef, nextAttemptAt: number, error: string, now: number): boolean {
    return this.changeRecorded(this.statements.retry, { key: entry.key, lease: entry.lease, next: nextAttemptAt, error }, () =>
      this.attempts.finished(entry.key, entry.lease, 'failed', now, error),
    );
  }

  bury(entry: LeaseRef, now: number, error: string): boolean {
    return this.changeRecorded(this.statements.bury, { key: entry.key, lease: entry.lease, now, error }, () => this.attempts.finished(entry.key, entry.lease, 'failed', now, error));
  }

  /** One entry's state change and, when it changed, its history record, all or none (see atomically). */
  private changeRecorded(statement: Statement, values: Record<string, unknown>, record: () => void): boolean {
    return this.atomically(() => {
      const changed = statement.run(values).changes === 1;
      if (changed) record();
      return changed;
    });
  }

  prune(before: number): void {
    this.deleteFinished('done', before);
  }

  /** Entries of a done or dead state finished before `before` (all of them for null), with their history; returns how many. */
  private deleteFinished(state: InboxState, before: number | null): number {
    return this.atomically(() => {
      this.attempts.deleteFinished(state, before);
      return this.statements.purge.run({ state, before }).changes;
    });
  }

  /** The entry's last attempts and replays, oldest first. */
  history(key: string): StoredHistoryRecord[] {
    return this.attempts.list(key);
  }

  list(options: InboxListOptions, states: readonly InboxState[], limit: number): SqliteRow[] {
    return this.statements.list.all({ states: JSON.stringify(states), provider: options.provider ?? null, limit }) as SqliteRow[];
  }

  get(key: string): SqliteRow | undefined {
    return this.statements.get.get(key) as SqliteRow | undefined;
  }

  /** Unsorted: the main thread sorts (lib/inbox/storage.ts sortCounts). */
  counts(): InboxCount[] {
    return this.statements.counts.all() as InboxCount[];
  }

  replay(keys: readonly string[] | 'dead', now: number): string[] {
    return this.atomically((): string[] => {
      const replayed =
        keys === 'dead'
          ? (this.statements.replayDead.all({ now }) as SqliteRow[]).map((row) => row.key)
          : keys.flatMap((key) => (this.statements.replayKey.all({ key, now }) as SqliteRow[]).map((row) => row.key));
      for (const key of replayed) this.attempts.replayed(key, now);
      return replayed;
    });
  }

  /** `before` in ms, null for all. */
  purge(state: NonNullable<InboxPurgeOptions['state']>, before: number | null): number {
    return this.deleteFinished(state, before);
  }

  /** The connection's journal mode and synchronous level, for the file-settings test. */
  settings(): { journalMode: string; synchronous: number } {
    return { journalMode: this.db.pragma('journal_mode', { simple: true }) as string, synchronous: this.db.pragma('synchronous', { simple: true }) as number };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
