import { randomUUID } from 'node:crypto';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { requirePeer } from '../core/peer-dependency';
import { assertKnownOptions, type OptionNames } from '../core/option-names';
import { DurableInbox, INBOX_OPTION_NAMES, type InboxOptions } from './durable-inbox';
import type { InboxCount, InboxEntry, InboxHistoryRecord, InboxState, InboxListOptions, InboxPurgeOptions } from './inbox';
import { SqliteAttempts } from './sqlite-attempts';
import { LIST_LIMIT, listedStates, sortCounts, toHistoryRecord, toInboxEntry, type InboxStorage, type LeasedEntry } from './storage';

export interface SqliteInboxOptions extends InboxOptions {
  /** The database file, created if missing (its directory must exist). Keep it on a local disk. */
  path: string;
}

const SQLITE_INBOX_OPTION_NAMES: OptionNames<SqliteInboxOptions> = { ...INBOX_OPTION_NAMES, path: true };

/**
 * The embedded inbox: one SQLite file, no server. Share one SqliteInbox
 * between the middlewares of an app (one per provider); several processes
 * may open the same file, leases keep them from running an entry twice.
 */
export class SqliteInbox extends DurableInbox {
  constructor(options: SqliteInboxOptions) {
    const where = 'express-payment-webhooks (SqliteInbox)';
    if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options are required: new SqliteInbox({ path: './webhooks-inbox.db' }).`);
    assertKnownOptions(where, options, SQLITE_INBOX_OPTION_NAMES);
    if (options.path === undefined) {
      throw new TypeError(`${where}: path is missing${'path' in options ? ' (undefined: is the environment variable it comes from set?)' : ''}: give path: './webhooks-inbox.db', the database file to use.`);
    }
    if (typeof options.path !== 'string' || options.path === '') {
      throw new TypeError(`${where}: path must be the database file to use (a non-empty string), e.g. { path: './webhooks-inbox.db' }.`);
    }
    super(where, new SqliteInboxStorage(options.path), options);
  }
}

interface Row {
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

/** better-sqlite3 is loaded when a SqliteInbox is made, so apps without one need not install the native module. */
function openDatabase(path: string): SqliteDatabase {
  const Database = requirePeer<typeof import('better-sqlite3')>('better-sqlite3', 'SqliteInbox');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // FULL, not NORMAL: with WAL, NORMAL survives a crash of the process but may
  // lose the last commits on power loss or an OS crash, and the provider has
  // already been told "done" for what was committed. FULL syncs the WAL on
  // every commit: one fsync per write.
  db.pragma('synchronous = FULL');
  // Another process (or the CLI) may hold the write lock for a moment.
  db.pragma('busy_timeout = 2000');
  db.exec(SCHEMA);
  addReplayedAt(db);
  return db;
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

export class SqliteInboxStorage implements InboxStorage {
  private readonly db: SqliteDatabase;
  private readonly statements: Record<'put' | 'renew' | 'complete' | 'completeLate' | 'retry' | 'bury' | 'purge' | 'get' | 'replayKey' | 'replayDead', Statement>;
  private readonly leaseStatement: Statement;
  private readonly attempts: SqliteAttempts;

  constructor(path: string) {
    this.db = openDatabase(path);
    this.attempts = new SqliteAttempts(this.db);
    const owned = 'WHERE key = @key AND lease = @lease AND state = \'pending\'';
    this.statements = {
      put: this.db.prepare(
        `INSERT INTO inbox (key, provider, event, state, attempts, stored_at, next_attempt_at)
         VALUES (@key, @provider, @event, 'pending', 0, @now, @now) ON CONFLICT (key) DO NOTHING`,
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
      purge: this.db.prepare('DELETE FROM inbox WHERE state = @state AND (@before IS NULL OR finished_at < @before)'),
      get: this.db.prepare('SELECT * FROM inbox WHERE key = ?'),
      replayKey: this.db.prepare(
        `UPDATE inbox SET state = 'pending', attempts = 0, next_attempt_at = @now, replayed_at = @now, finished_at = NULL
         WHERE key = @key AND state IN ('pending', 'dead') RETURNING key`,
      ),
      replayDead: this.db.prepare(
        `UPDATE inbox SET state = 'pending', attempts = 0, next_attempt_at = @now, replayed_at = @now, finished_at = NULL WHERE state = 'dead' RETURNING key`,
      ),
    };
    // One statement takes the due entries and leases them, so two processes
    // sharing the file cannot both take one (SQLite has one writer at a time).
    this.leaseStatement = this.db.prepare(
      `UPDATE inbox SET lease = @lease, lease_until = @until, attempts = attempts + 1
       WHERE key IN (
         SELECT key FROM inbox
         WHERE state = 'pending' AND provider IN (SELECT value FROM json_each(@providers))
           AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
         ORDER BY next_attempt_at LIMIT @limit)
       RETURNING key, provider, event, attempts, COALESCE(replayed_at, stored_at) AS budget_from`,
    );
  }

  async put(key: string, provider: string, event: string, now: number): Promise<'stored' | 'duplicate'> {
    return this.statements.put.run({ key, provider, event, now }).changes === 1 ? 'stored' : 'duplicate';
  }

  async lease(providers: readonly string[], limit: number, now: number, leaseMs: number): Promise<LeasedEntry[]> {
    const lease = randomUUID();
    const rows = this.db.transaction(() => {
      const leased = this.leaseStatement.all({ lease, until: now + leaseMs, now, limit, providers: JSON.stringify(providers) }) as Array<Row & { budget_from: number }>;
      for (const row of leased) this.attempts.started(row.key, row.attempts, lease, now);
      return leased;
    })();
    return rows.map((row) => ({ key: row.key, provider: row.provider, event: row.event, attempt: row.attempts, budgetFrom: row.budget_from, lease }));
  }

  async renew(entry: LeasedEntry, now: number, leaseMs: number): Promise<boolean> {
    return this.statements.renew.run({ key: entry.key, lease: entry.lease, until: now + leaseMs }).changes === 1;
  }

  async complete(entry: LeasedEntry, now: number): Promise<boolean> {
    return this.changeRecorded(this.statements.complete, { key: entry.key, lease: entry.lease, now }, () => this.attempts.finished(entry.key, entry.lease, 'delivered', now));
  }

  async completeLate(entry: LeasedEntry, now: number): Promise<boolean> {
    return this.changeRecorded(this.statements.completeLate, { key: entry.key, now }, () => this.attempts.finishedLate(entry.key, entry.lease, now));
  }

  async retry(entry: LeasedEntry, nextAttemptAt: number, error: string, now: number): Promise<boolean> {
    return this.changeRecorded(this.statements.retry, { key: entry.key, lease: entry.lease, next: nextAttemptAt, error }, () =>
      this.attempts.finished(entry.key, entry.lease, 'failed', now, error),
    );
  }

  async bury(entry: LeasedEntry, now: number, error: string): Promise<boolean> {
    return this.changeRecorded(this.statements.bury, { key: entry.key, lease: entry.lease, now, error }, () => this.attempts.finished(entry.key, entry.lease, 'failed', now, error));
  }

  /** One entry's state change and, when it changed, its history record, in one transaction. */
  private changeRecorded(statement: Statement, values: Record<string, unknown>, record: () => void): boolean {
    return this.db.transaction(() => {
      const changed = statement.run(values).changes === 1;
      if (changed) record();
      return changed;
    })();
  }

  async prune(before: number): Promise<void> {
    this.deleteFinished('done', before);
  }

  /** Entries of a done or dead state finished before `before` (all of them for null), with their history; returns how many. */
  private deleteFinished(state: InboxState, before: number | null): number {
    return this.db.transaction(() => {
      this.attempts.deleteFinished(state, before);
      return this.statements.purge.run({ state, before }).changes;
    })();
  }

  async list(options: InboxListOptions): Promise<InboxEntry[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM inbox WHERE state IN (SELECT value FROM json_each(@states)) AND (@provider IS NULL OR provider = @provider)
         ORDER BY stored_at, key LIMIT @limit`,
      )
      .all({ states: JSON.stringify(listedStates(options)), provider: options.provider ?? null, limit: options.limit ?? LIST_LIMIT }) as Row[];
    return rows.map(toEntry);
  }

  async get(key: string): Promise<InboxEntry | undefined> {
    const row = this.statements.get.get(key) as Row | undefined;
    return row === undefined ? undefined : toEntry(row);
  }

  async history(key: string): Promise<InboxHistoryRecord[]> {
    return this.attempts.list(key).map(toHistoryRecord);
  }

  async counts(): Promise<InboxCount[]> {
    return sortCounts(this.db.prepare('SELECT provider, state, COUNT(*) AS count FROM inbox GROUP BY provider, state').all() as InboxCount[]);
  }

  async replay(keys: readonly string[] | 'dead', now: number): Promise<string[]> {
    const replay = this.db.transaction((): string[] => {
      const replayed =
        keys === 'dead'
          ? (this.statements.replayDead.all({ now }) as Row[]).map((row) => row.key)
          : keys.flatMap((key) => (this.statements.replayKey.all({ key, now }) as Row[]).map((row) => row.key));
      for (const key of replayed) this.attempts.replayed(key, now);
      return replayed;
    });
    return replay();
  }

  async purge(options: InboxPurgeOptions): Promise<number> {
    return this.deleteFinished(options.state ?? 'done', options.finishedBefore?.getTime() ?? null);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function toEntry(row: Row): InboxEntry {
  return toInboxEntry({
    key: row.key,
    provider: row.provider,
    state: row.state,
    attempts: row.attempts,
    storedAt: row.stored_at,
    nextAttemptAt: row.next_attempt_at ?? undefined,
    finishedAt: row.finished_at ?? undefined,
    lastError: row.last_error ?? undefined,
    event: row.event,
  });
}
