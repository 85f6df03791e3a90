import { advisoryKey } from '../postgres/advisory-key';
import { assertKnownOptions, type OptionNames } from '../core/option-names';
import { PostgresConnection, POSTGRES_CONNECTION_OPTION_NAMES, type PostgresConnectionOptions } from '../postgres/connection';
import { identifier, qualified } from '../postgres/identifiers';
import { dedupTableSql, DEFAULT_DEDUP_TABLE, lockedDdl } from '../postgres/schema';
import type { PostgresClient } from '../postgres/types';
import type { ExclusiveDedupStore, ExclusiveOutcome } from './exclusive';
import type { ClaimState } from './store';

export interface PostgresDedupStoreOptions extends PostgresConnectionOptions {
  /** The table, in `schema`. Default 'epw_dedup'. */
  table?: string;
  /**
   * The isolation level of the transactions of `transactional: true`.
   * Default 'read committed' (PostgreSQL's default).
   */
  isolationLevel?: 'read committed' | 'repeatable read' | 'serializable';
}

const POSTGRES_DEDUP_OPTION_NAMES: OptionNames<PostgresDedupStoreOptions> = { ...POSTGRES_CONNECTION_OPTION_NAMES, table: true, isolationLevel: true };

/** Every how many done markers written the store deletes up to that many expired rows. */
const SWEEP_EVERY = 1000;

const ISOLATION_LEVELS: ReadonlySet<unknown> = new Set(['read committed', 'repeatable read', 'serializable']);

/**
 * Dedup in the merchant's own PostgreSQL (node-postgres), shared by every
 * instance. One row per key: a lock or a done marker, with an expiry in the
 * database's clock, so instances whose clocks disagree still agree.
 *
 * With the middleware's `transactional: true` it also runs the handler
 * itself (`runExclusive`): see there.
 */
export class PostgresDedupStore implements ExclusiveDedupStore {
  private readonly connection: PostgresConnection;
  private readonly table: string;
  private readonly begin: string;
  private readonly sql: Record<'claim' | 'renew' | 'complete' | 'release' | 'check' | 'fence' | 'sweep', string>;
  private writesSinceSweep = 0;

  constructor(options: PostgresDedupStoreOptions) {
    const where = 'express-payment-webhooks (PostgresDedupStore)';
    if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options { connectionString } or { pool } are required.`);
    assertKnownOptions(where, options, POSTGRES_DEDUP_OPTION_NAMES);
    const table = identifier(where, 'table', options.table, DEFAULT_DEDUP_TABLE);
    this.connection = new PostgresConnection(where, options, (schema) => lockedDdl(dedupTableSql(schema, table)));
    if (options.isolationLevel !== undefined && !ISOLATION_LEVELS.has(options.isolationLevel)) {
      throw new TypeError(`${where}: isolationLevel must be 'read committed', 'repeatable read' or 'serializable'.`);
    }
    this.begin = `BEGIN ISOLATION LEVEL ${(options.isolationLevel ?? 'read committed').toUpperCase()}`;
    this.table = qualified(this.connection.schema, table);
    const t = this.table;
    const ms = (n: number) => `now() + $${n}::double precision * interval '1 millisecond'`;
    const expired = 'd.expires_at <= now()';
    this.sql = {
      // The advisory lock is the one a transactional run holds (runExclusive): while it runs, its
      // claim row is not committed yet, so the lock is what tells a plain claim that it is in flight.
      // One statement, so the lock is let go as soon as the claim is written.
      claim: `WITH free AS (SELECT pg_try_advisory_xact_lock($4::bigint) AS ok)
        INSERT INTO ${t} AS d (key, token, done, expires_at) SELECT $1, $2, false, ${ms(3)} FROM free WHERE ok
        ON CONFLICT (key) DO UPDATE SET token = excluded.token, done = false, expires_at = excluded.expires_at WHERE ${expired}
        RETURNING 1`,
      renew: `UPDATE ${t} SET expires_at = ${ms(3)} WHERE key = $1 AND token = $2 AND NOT done AND expires_at > now()`,
      // Done whoever holds the key now: the work succeeded (a late success marks done too).
      complete: `INSERT INTO ${t} AS d (key, token, done, expires_at) VALUES ($1, $2, true, ${ms(3)})
        ON CONFLICT (key) DO UPDATE SET token = excluded.token, done = true, expires_at = excluded.expires_at`,
      release: `DELETE FROM ${t} WHERE key = $1 AND token = $2 AND NOT done`,
      check: `SELECT done FROM ${t} WHERE key = $1 AND expires_at > now()`,
      // Written last in the run's transaction: the unique key makes it the fence. Should another run
      // have marked the key done meanwhile (see runExclusive), nothing is returned and this one rolls back.
      fence: `INSERT INTO ${t} AS d (key, token, done, expires_at) VALUES ($1, $2, true, ${ms(3)})
        ON CONFLICT (key) DO UPDATE SET token = excluded.token, done = true, expires_at = excluded.expires_at
        WHERE NOT d.done OR ${expired}
        RETURNING 1`,
      sweep: `DELETE FROM ${t} WHERE key IN (SELECT key FROM ${t} WHERE expires_at <= now() LIMIT $1)`,
    };
  }

  async claim(key: string, lockTtlMs: number, token: string): Promise<ClaimState> {
    const claimed = await this.connection.query(this.sql.claim, [key, token, lockTtlMs, advisoryKey(this.table, key)]);
    if (claimed.rowCount === 1) return 'claimed';
    // Not ours: a live row, or a transactional run holding the key. Only duplicates pay this second look.
    const { rows } = await this.connection.query(this.sql.check, [key]);
    return (rows[0] as { done: boolean } | undefined)?.done === true ? 'done' : 'in-flight';
  }

  async renew(key: string, lockTtlMs: number, token: string): Promise<boolean> {
    return (await this.connection.query(this.sql.renew, [key, token, lockTtlMs])).rowCount === 1;
  }

  async complete(key: string, doneTtlMs: number, token: string): Promise<void> {
    await this.connection.query(this.sql.complete, [key, token, doneTtlMs]);
    this.wroteDoneMarker();
  }

  async release(key: string, token: string): Promise<void> {
    await this.connection.query(this.sql.release, [key, token]);
  }

  /**
   * Runs `work` inside one transaction on a pooled connection (`db`), with
   * the key's done marker written in that same transaction:
   *
   * 1. BEGIN, then `pg_try_advisory_xact_lock` on a hash of the key. Taken by
   *    another run (any instance): 'in-flight' at once, nothing waits. The
   *    lock lives as long as the transaction: a process killed mid-run loses
   *    its connection, PostgreSQL rolls back and frees the lock, and the
   *    provider's retry runs the work from scratch.
   * 2. Lock held: a live row for the key means done ('done') or a plain
   *    claim in flight ('in-flight'); either way nothing runs.
   * 3. `work(db)`; a failure rolls everything back, and the connection is
   *    closed rather than reused, since the work may still be using it (a
   *    timed-out handler): its later queries fail, none can commit.
   * 4. The done row (the fence) and COMMIT. The row's unique key guarantees
   *    at most one run commits per key, whatever the isolation level: a run
   *    that missed another's done row (a snapshot taken just before that
   *    commit) finds it here and rolls back ('done').
   */
  async runExclusive(key: string, doneTtlMs: number, work: (db: PostgresClient) => Promise<unknown>): Promise<ExclusiveOutcome> {
    const client = await this.connection.checkout();
    const statement = (text: string, values?: readonly unknown[]) => this.connection.statement(client, text, values);
    let outcome: ExclusiveOutcome;
    try {
      // The lock in its own statement after BEGIN, and the check after it: in read committed each
      // statement sees what committed before it started, so the check sees the done row of a run
      // that let go of the lock just before we took it.
      const [, locked] = (await statement(`${this.begin}; SELECT pg_try_advisory_xact_lock(${advisoryKey(this.table, key)}) AS ok`)) as unknown as [
        unknown,
        { rows: { ok: boolean }[] },
      ];
      if (locked.rows[0]?.ok !== true) {
        outcome = 'in-flight';
      } else {
        const { rows } = await statement(this.sql.check, [key]);
        const existing = rows[0] as { done: boolean } | undefined;
        if (existing !== undefined) {
          outcome = existing.done ? 'done' : 'in-flight';
        } else {
          await work(client);
          const fenced = await statement(this.sql.fence, [key, 'tx', doneTtlMs]);
          outcome = fenced.rowCount === 1 ? 'ran' : 'done';
        }
      }
      await statement(outcome === 'ran' ? 'COMMIT' : 'ROLLBACK');
    } catch (error) {
      this.connection.release(client, error);
      throw error;
    }
    this.connection.release(client);
    if (outcome === 'ran') this.wroteDoneMarker();
    return outcome;
  }

  /** Deletes up to `limit` expired rows (locks and done markers); returns how many. The store also does this now and then by itself. */
  async deleteExpired(limit = SWEEP_EVERY): Promise<number> {
    return (await this.connection.query(this.sql.sweep, [limit])).rowCount ?? 0;
  }

  /** Ends the pool the store created from `connectionString`; a pool you passed in is left to you. */
  close(): Promise<void> {
    return this.connection.close();
  }

  private wroteDoneMarker(): void {
    if (++this.writesSinceSweep < SWEEP_EVERY) return;
    this.writesSinceSweep = 0;
    // Housekeeping only: a failure here changes nothing for any notification.
    this.deleteExpired().catch(() => {});
  }
}
