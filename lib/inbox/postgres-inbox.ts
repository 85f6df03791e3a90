import { randomUUID } from 'node:crypto';
import { assertKnownOptions, type OptionNames } from '../core/option-names';
import { PostgresConnection, POSTGRES_CONNECTION_OPTION_NAMES, type PostgresConnectionOptions } from '../postgres/connection';
import { identifier, qualified } from '../postgres/identifiers';
import type { PostgresClient, PostgresQueryResult } from '../postgres/types';
import { attemptsTableName, DEFAULT_INBOX_TABLE, inboxTableSql, lockedDdl } from '../postgres/schema';
import { DurableInbox, INBOX_OPTION_NAMES, type InboxOptions } from './durable-inbox';
import type { InboxCount, InboxEntry, InboxHistoryRecord, InboxState, InboxListOptions, InboxPurgeOptions } from './inbox';
import { HISTORY_LIMIT, LIST_LIMIT, listedStates, sortCounts, toHistoryRecord, toInboxEntry, type InboxStorage, type LeasedEntry, type StoredHistoryRecord } from './storage';

export interface PostgresInboxOptions extends InboxOptions, PostgresConnectionOptions {
  /** The table, in `schema`. Default 'epw_inbox'. */
  table?: string;
}

const POSTGRES_INBOX_OPTION_NAMES: OptionNames<PostgresInboxOptions> = { ...INBOX_OPTION_NAMES, ...POSTGRES_CONNECTION_OPTION_NAMES, table: true };

/**
 * The inbox in the merchant's own PostgreSQL (node-postgres), for one or
 * many instances of an app: a table used as a queue. Workers lease due
 * entries with `FOR UPDATE SKIP LOCKED`, so instances never wait on each
 * other nor take the same entry; a lease that runs out (its instance died)
 * makes the entry due again for any of them.
 *
 * Durable as far as your PostgreSQL is: a put resolves once its INSERT
 * committed (with the default `synchronous_commit = on`, flushed to the WAL).
 */
export class PostgresInbox extends DurableInbox {
  constructor(options: PostgresInboxOptions) {
    const where = 'express-payment-webhooks (PostgresInbox)';
    if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options { connectionString } or { pool } are required.`);
    assertKnownOptions(where, options, POSTGRES_INBOX_OPTION_NAMES);
    super(where, new PostgresInboxStorage(where, options), options);
  }
}

interface Row {
  key: string;
  provider: string;
  event: string;
  state: InboxState;
  attempts: number;
  // bigint columns: node-postgres returns them as strings.
  stored_at: string;
  next_attempt_at: string | null;
  finished_at: string | null;
  last_error: string | null;
}

const OWNED = `key = $1 AND lease = $2 AND state = 'pending'`;
const UNLEASED = 'lease = NULL, lease_until = NULL';

/**
 * The history is written by the statement that changes the entry: each
 * write below is one statement, the entry's UPDATE and the history's writes
 * as data-modifying CTEs, atomic together. They all see one snapshot, so
 * `trim` keeps HISTORY_LIMIT - 1 records of those keys: the one added by the
 * same statement makes HISTORY_LIMIT.
 */
function trim(a: string, keysFrom: string): string {
  return `DELETE FROM ${a} WHERE id IN (
    SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY key ORDER BY id DESC) AS n FROM ${a} WHERE key IN (SELECT key FROM ${keysFrom})) newest
    WHERE n >= ${HISTORY_LIMIT})`;
}

/** An outcome write: `change` (an UPDATE … RETURNING key) and its attempt's record; answers { changed } (0 or 1). */
function withOutcome(a: string, change: string, record: string): string {
  return `WITH changed AS (${change} RETURNING key),
    recorded AS (UPDATE ${a} SET ${record})
    SELECT count(*)::integer AS changed FROM changed`;
}

interface HistoryRow {
  attempt: number;
  outcome: StoredHistoryRecord['outcome'];
  started_at: string;
  finished_at: string | null;
  error: string | null;
}

export class PostgresInboxStorage implements InboxStorage {
  private readonly connection: PostgresConnection;
  private readonly sql: Record<'put' | 'lease' | 'renew' | 'complete' | 'completeLate' | 'retry' | 'bury' | 'prune' | 'list' | 'get' | 'history' | 'counts' | 'replayKeys' | 'replayDead' | 'purge', string>;

  constructor(where: string, options: Omit<PostgresInboxOptions, keyof InboxOptions>) {
    const table = identifier(where, 'table', options.table, DEFAULT_INBOX_TABLE);
    this.connection = new PostgresConnection(where, options, (schema) => lockedDdl(inboxTableSql(schema, table)));
    const t = qualified(this.connection.schema, table);
    const a = qualified(this.connection.schema, attemptsTableName(table));
    const running = `key IN (SELECT key FROM changed) AND lease = $2 AND outcome = 'running'`;
    const replayed = (update: string, now: string) => `WITH replayed AS (${update} RETURNING key),
        recorded AS (INSERT INTO ${a} (key, attempt, outcome, started_at) SELECT key, 0, 'replayed', ${now} FROM replayed),
        trimmed AS (${trim(a, 'replayed')})
        SELECT key FROM replayed`;
    this.sql = {
      put: `INSERT INTO ${t} (key, provider, event, state, attempts, stored_at, next_attempt_at)
        VALUES ($1, $2, $3, 'pending', 0, $4, $4) ON CONFLICT (key) DO NOTHING`,
      // SKIP LOCKED: entries another worker is leasing right now are left to it, not waited for.
      // Rows another worker leased just before are re-checked on their latest version and left out.
      // An attempt still running when its entry is leased again is one whose lease ran out.
      lease: `WITH leased AS (UPDATE ${t} SET lease = $1, lease_until = $2, attempts = attempts + 1
          WHERE key IN (
            SELECT key FROM ${t}
            WHERE state = 'pending' AND provider = ANY($3) AND next_attempt_at <= $4 AND (lease_until IS NULL OR lease_until <= $4)
            ORDER BY next_attempt_at LIMIT $5
            FOR UPDATE SKIP LOCKED)
          RETURNING key, provider, event, attempts, COALESCE(replayed_at, stored_at) AS budget_from),
        expired AS (UPDATE ${a} SET outcome = 'expired', finished_at = $4 WHERE key IN (SELECT key FROM leased) AND outcome = 'running'),
        started AS (INSERT INTO ${a} (key, attempt, lease, outcome, started_at) SELECT key, attempts, $1, 'running', $4 FROM leased),
        trimmed AS (${trim(a, 'leased')})
        SELECT * FROM leased`,
      renew: `UPDATE ${t} SET lease_until = $3 WHERE ${OWNED}`,
      complete: withOutcome(
        a,
        `UPDATE ${t} SET state = 'done', finished_at = $3, next_attempt_at = NULL, ${UNLEASED}, last_error = NULL WHERE ${OWNED}`,
        `outcome = 'delivered', finished_at = $3 WHERE ${running}`,
      ),
      // The work is done whichever attempt or lease the entry is at now (see InboxStorage.completeLate):
      // that run's attempt is delivered, one running meanwhile is abandoned.
      completeLate: withOutcome(
        a,
        `UPDATE ${t} SET state = 'done', finished_at = $3, next_attempt_at = NULL, ${UNLEASED}, last_error = NULL WHERE key = $1 AND state IN ('pending', 'dead')`,
        `outcome = CASE WHEN lease = $2 THEN 'delivered' ELSE 'abandoned' END, finished_at = $3
          WHERE key IN (SELECT key FROM changed) AND (lease = $2 OR outcome = 'running')`,
      ),
      retry: withOutcome(
        a,
        `UPDATE ${t} SET next_attempt_at = $3, last_error = $4, ${UNLEASED} WHERE ${OWNED}`,
        `outcome = 'failed', finished_at = $5, error = $4 WHERE ${running}`,
      ),
      bury: withOutcome(
        a,
        `UPDATE ${t} SET state = 'dead', finished_at = $3, next_attempt_at = NULL, last_error = $4, ${UNLEASED} WHERE ${OWNED}`,
        `outcome = 'failed', finished_at = $3, error = $4 WHERE ${running}`,
      ),
      // The history goes with its entries (ON DELETE CASCADE).
      prune: `DELETE FROM ${t} WHERE state = 'done' AND finished_at < $1`,
      list: `SELECT * FROM ${t} WHERE state = ANY($1) AND ($2::text IS NULL OR provider = $2) ORDER BY stored_at, key LIMIT $3`,
      get: `SELECT * FROM ${t} WHERE key = $1`,
      history: `SELECT attempt, outcome, started_at, finished_at, error FROM ${a} WHERE key = $1 ORDER BY id`,
      counts: `SELECT provider, state, COUNT(*)::integer AS count FROM ${t} GROUP BY provider, state`,
      replayKeys: replayed(
        `UPDATE ${t} SET state = 'pending', attempts = 0, next_attempt_at = $2, replayed_at = $2, finished_at = NULL WHERE key = ANY($1) AND state IN ('pending', 'dead')`,
        '$2',
      ),
      replayDead: replayed(`UPDATE ${t} SET state = 'pending', attempts = 0, next_attempt_at = $1, replayed_at = $1, finished_at = NULL WHERE state = 'dead'`, '$1'),
      purge: `DELETE FROM ${t} WHERE state = $1 AND ($2::bigint IS NULL OR finished_at < $2)`,
    };
  }

  async put(key: string, provider: string, event: string, now: number): Promise<'stored' | 'duplicate'> {
    return (await this.connection.query(this.sql.put, [key, provider, event, now])).rowCount === 1 ? 'stored' : 'duplicate';
  }

  async lease(providers: readonly string[], limit: number, now: number, leaseMs: number): Promise<LeasedEntry[]> {
    const lease = randomUUID();
    const { rows } = await this.connection.query(this.sql.lease, [lease, now + leaseMs, providers, now, limit]);
    return (rows as Array<Pick<Row, 'key' | 'provider' | 'event' | 'attempts'> & { budget_from: string }>).map((row) => ({
      key: row.key,
      provider: row.provider,
      event: row.event,
      attempt: row.attempts,
      budgetFrom: Number(row.budget_from),
      lease,
    }));
  }

  async renew(entry: LeasedEntry, now: number, leaseMs: number): Promise<boolean> {
    return (await this.connection.query(this.sql.renew, [entry.key, entry.lease, now + leaseMs])).rowCount === 1;
  }

  async complete(entry: LeasedEntry, now: number): Promise<boolean> {
    return this.owned(this.sql.complete, entry, now);
  }

  async completeLate(entry: LeasedEntry, now: number): Promise<boolean> {
    return this.owned(this.sql.completeLate, entry, now);
  }

  async retry(entry: LeasedEntry, nextAttemptAt: number, error: string, now: number): Promise<boolean> {
    return this.owned(this.sql.retry, entry, nextAttemptAt, error, now);
  }

  async bury(entry: LeasedEntry, now: number, error: string): Promise<boolean> {
    return this.owned(this.sql.bury, entry, now, error);
  }

  /**
   * The work and the done marker in one transaction on a pooled connection.
   * The marker is the usual lease-checked `complete`, written last: while the
   * work runs the row is not locked, so renewals go on; a worker that took the
   * entry over meanwhile holds another lease, the marker matches nothing and
   * this run rolls back. A failure closes the connection rather than reusing
   * it, since a timed-out handler may still be using it: none of its later
   * queries can commit. A process killed mid-run loses its connection, and
   * PostgreSQL rolls back.
   */
  async runDelivery(entry: LeasedEntry, work: (db: PostgresClient) => Promise<void>, now: () => number): Promise<boolean> {
    const client = await this.connection.checkout();
    const statement = (text: string, values?: readonly unknown[]) => this.connection.statement(client, text, values);
    let committed: boolean;
    try {
      await statement('BEGIN');
      await work(client);
      committed = changed(await statement(this.sql.complete, [entry.key, entry.lease, now()]));
      await statement(committed ? 'COMMIT' : 'ROLLBACK');
    } catch (error) {
      this.connection.release(client, error);
      throw error;
    }
    this.connection.release(client);
    return committed;
  }

  async prune(before: number): Promise<void> {
    await this.connection.query(this.sql.prune, [before]);
  }

  async list(options: InboxListOptions): Promise<InboxEntry[]> {
    const { rows } = await this.connection.query(this.sql.list, [listedStates(options), options.provider ?? null, options.limit ?? LIST_LIMIT]);
    return (rows as Row[]).map(toEntry);
  }

  async get(key: string): Promise<InboxEntry | undefined> {
    const { rows } = await this.connection.query(this.sql.get, [key]);
    return rows.length === 0 ? undefined : toEntry(rows[0] as Row);
  }

  async history(key: string): Promise<InboxHistoryRecord[]> {
    const { rows } = await this.connection.query(this.sql.history, [key]);
    return (rows as HistoryRow[]).map((row) =>
      toHistoryRecord({
        attempt: row.attempt,
        outcome: row.outcome,
        startedAt: Number(row.started_at),
        finishedAt: row.finished_at === null ? undefined : Number(row.finished_at),
        error: row.error ?? undefined,
      }),
    );
  }

  async counts(): Promise<InboxCount[]> {
    return sortCounts((await this.connection.query(this.sql.counts)).rows as InboxCount[]);
  }

  async replay(keys: readonly string[] | 'dead', now: number): Promise<string[]> {
    if (keys === 'dead') return (await this.connection.query(this.sql.replayDead, [now])).rows.map((row: Row) => row.key);
    const replayed = new Set((await this.connection.query(this.sql.replayKeys, [keys, now])).rows.map((row: Row) => row.key));
    // In the order asked for, as the other inboxes answer.
    return keys.filter((key, i) => replayed.has(key) && keys.indexOf(key) === i);
  }

  async purge(options: InboxPurgeOptions): Promise<number> {
    const { rowCount } = await this.connection.query(this.sql.purge, [options.state ?? 'done', options.finishedBefore?.getTime() ?? null]);
    return rowCount ?? 0;
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  /** An outcome write, recorded only while `entry.lease` still holds the entry (completeLate: whatever lease holds it). */
  private async owned(sql: string, entry: LeasedEntry, ...values: unknown[]): Promise<boolean> {
    return changed(await this.connection.query(sql, [entry.key, entry.lease, ...values]));
  }
}

/** Whether a `withOutcome` statement changed its entry. */
function changed(result: PostgresQueryResult): boolean {
  return (result.rows[0] as { changed: number } | undefined)?.changed === 1;
}

function toEntry(row: Row): InboxEntry {
  const ms = (value: string | null) => (value === null ? undefined : Number(value));
  return toInboxEntry({
    key: row.key,
    provider: row.provider,
    state: row.state,
    attempts: row.attempts,
    storedAt: Number(row.stored_at),
    nextAttemptAt: ms(row.next_attempt_at),
    finishedAt: ms(row.finished_at),
    lastError: row.last_error ?? undefined,
    event: row.event,
  });
}
