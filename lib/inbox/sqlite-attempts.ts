import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { InboxAttemptOutcome, InboxState } from './inbox';
import { HISTORY_LIMIT, type StoredHistoryRecord } from './storage';

/**
 * SqliteInbox's attempt history: one row per attempt or replay of an entry,
 * in `inbox_attempts`. Every method here is a part of a state change of
 * `inbox` and is called inside that change's transaction, so the history
 * never disagrees with the entry (a crash rolls both back).
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS inbox_attempts (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  lease TEXT,
  outcome TEXT NOT NULL CHECK (outcome IN ('running', 'delivered', 'failed', 'expired', 'abandoned', 'replayed')),
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  error TEXT
);
CREATE INDEX IF NOT EXISTS inbox_attempts_key ON inbox_attempts (key, id);
`;

interface HistoryRow {
  attempt: number;
  outcome: StoredHistoryRecord['outcome'];
  started_at: number;
  finished_at: number | null;
  error: string | null;
}

/** Outcomes an attempt is closed with by its lease holder. */
type Closing = Extract<InboxAttemptOutcome, 'delivered' | 'failed'>;

export class SqliteAttempts {
  private readonly statements: Record<'expire' | 'start' | 'trim' | 'finish' | 'finishLate' | 'abandon' | 'replay' | 'list' | 'deleteFinished', Statement>;

  /** Creates the table in files made before it existed (in place: `inbox` is left as it is). */
  constructor(db: SqliteDatabase) {
    db.exec(SCHEMA);
    const running = `key = @key AND outcome = 'running'`;
    this.statements = {
      expire: db.prepare(`UPDATE inbox_attempts SET outcome = 'expired', finished_at = @now WHERE ${running}`),
      start: db.prepare(`INSERT INTO inbox_attempts (key, attempt, lease, outcome, started_at) VALUES (@key, @attempt, @lease, 'running', @now)`),
      // Everything older than the newest HISTORY_LIMIT records of the key.
      trim: db.prepare(
        `DELETE FROM inbox_attempts WHERE key = @key AND id <= (SELECT id FROM inbox_attempts WHERE key = @key ORDER BY id DESC LIMIT 1 OFFSET ${HISTORY_LIMIT})`,
      ),
      finish: db.prepare(`UPDATE inbox_attempts SET outcome = @outcome, finished_at = @now, error = @error WHERE ${running} AND lease = @lease`),
      // A late success: the run's own attempt was closed as failed (given up) or is still open.
      finishLate: db.prepare(`UPDATE inbox_attempts SET outcome = 'delivered', finished_at = @now WHERE key = @key AND lease = @lease`),
      abandon: db.prepare(`UPDATE inbox_attempts SET outcome = 'abandoned', finished_at = @now WHERE ${running}`),
      replay: db.prepare(`INSERT INTO inbox_attempts (key, attempt, outcome, started_at) VALUES (@key, 0, 'replayed', @now)`),
      list: db.prepare('SELECT attempt, outcome, started_at, finished_at, error FROM inbox_attempts WHERE key = ? ORDER BY id'),
      deleteFinished: db.prepare(
        `DELETE FROM inbox_attempts WHERE key IN (SELECT key FROM inbox WHERE state = @state AND (@before IS NULL OR finished_at < @before))`,
      ),
    };
  }

  /** Leased: an attempt left open by an earlier lease ran out without an outcome; this one starts. */
  started(key: string, attempt: number, lease: string, now: number): void {
    this.statements.expire.run({ key, now });
    this.statements.start.run({ key, attempt, lease, now });
    this.statements.trim.run({ key });
  }

  /** A new entry leased as it is stored: it has no earlier attempt to expire, nor records to trim. */
  startedFirst(key: string, lease: string, now: number): void {
    this.statements.start.run({ key, attempt: 1, lease, now });
  }

  /** The lease holder recorded its outcome. */
  finished(key: string, lease: string, outcome: Closing, now: number, error?: string): void {
    this.statements.finish.run({ key, lease, outcome, now, error: error ?? null });
  }

  /** A run given up earlier succeeded after all: its attempt is delivered, one running meanwhile is abandoned. */
  finishedLate(key: string, lease: string, now: number): void {
    this.statements.finishLate.run({ key, lease, now });
    this.statements.abandon.run({ key, now });
  }

  replayed(key: string, now: number): void {
    this.statements.replay.run({ key, now });
    this.statements.trim.run({ key });
  }

  /** Before `DELETE FROM inbox` with the same condition: the history of the entries about to go. */
  deleteFinished(state: InboxState, before: number | null): void {
    this.statements.deleteFinished.run({ state, before });
  }

  list(key: string): StoredHistoryRecord[] {
    return (this.statements.list.all(key) as HistoryRow[]).map((row) => ({
      attempt: row.attempt,
      outcome: row.outcome,
      startedAt: row.started_at,
      finishedAt: row.finished_at ?? undefined,
      error: row.error ?? undefined,
    }));
  }
}
