import { positiveMs } from '../core/durations';
import type { OptionNames } from '../core/option-names';
import { withDeadline } from './deadline';
import { identifier } from './identifiers';
import { loadPg } from './load-pg';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from './types';

/** How the Postgres classes reach the database; the options they share. */
export interface PostgresConnectionOptions {
  /** `postgres://user:password@host:port/database`: the class creates its own pool (loading `pg`), and `close()` ends it. */
  connectionString?: string;
  /** A `pg.Pool` you own and end yourself. Give either `connectionString` or `pool`. */
  pool?: PostgresPool;
  /** The schema of the package's table. Default 'public'. */
  schema?: string;
  /**
   * Create the table (and its indexes) on first use, if missing. Default
   * true; false when you run the migration (`postgresSchemaSql()`) yourself
   * and the app's database user may not create tables.
   */
  createTable?: boolean;
  /**
   * The most any of the package's own statements waits, getting a pooled
   * connection included. After it the call fails (the middleware answers 503,
   * the provider retries) and that connection is closed. Default 2000.
   */
  timeoutMs?: number;
}

/** Every PostgresConnectionOptions name: each Postgres class adds its own to check the options it is given. */
export const POSTGRES_CONNECTION_OPTION_NAMES: OptionNames<PostgresConnectionOptions> = {
  connectionString: true,
  pool: true,
  schema: true,
  createTable: true,
  timeoutMs: true,
};

/** What the Postgres classes run their statements through: bounded, on a pool, with the table created once. */
export class PostgresConnection {
  readonly schema: string;
  readonly timeoutMs: number;
  private readonly pool: PostgresPool;
  private readonly ownsPool: boolean;
  private readonly createTable: boolean;
  private schemaReady: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly where: string,
    options: PostgresConnectionOptions,
    /** The CREATE … IF NOT EXISTS statements for this class's table, made from the validated names. */
    private readonly ddl: (schema: string) => string,
  ) {
    if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options { connectionString } or { pool } are required.`);
    const { connectionString, pool } = options;
    if ((connectionString === undefined) === (pool === undefined)) throw new TypeError(`${where}: give either connectionString or pool, not both.`);
    if (connectionString !== undefined && (typeof connectionString !== 'string' || connectionString === '')) {
      throw new TypeError(`${where}: connectionString must be a postgres:// URL.`);
    }
    if (pool !== undefined && (pool === null || typeof pool.connect !== 'function')) throw new TypeError(`${where}: pool must be a pg Pool.`);
    if (options.createTable !== undefined && typeof options.createTable !== 'boolean') throw new TypeError(`${where}: createTable must be true or false.`);
    this.schema = identifier(where, 'schema', options.schema, 'public');
    this.timeoutMs = positiveMs(where, 'timeoutMs', options.timeoutMs, 2000);
    this.createTable = options.createTable ?? true;
    this.ownsPool = pool === undefined;
    this.pool = pool ?? this.createPool(connectionString!);
  }

  /** One statement on a pooled connection. */
  query(text: string, values?: readonly unknown[]): Promise<PostgresQueryResult> {
    return this.withClient((client) => this.statement(client, text, values));
  }

  /** `use` with a pooled connection; a connection that saw any failure is closed, never handed to the next caller. */
  async withClient<T>(use: (client: PostgresPoolClient) => Promise<T>): Promise<T> {
    const client = await this.checkout();
    let result: T;
    try {
      result = await use(client);
    } catch (error) {
      this.release(client, error);
      throw error;
    }
    this.release(client);
    return result;
  }

  /** A pooled connection within timeoutMs, the table created; give it back with `release`. */
  async checkout(): Promise<PostgresPoolClient> {
    if (this.closed) throw new Error(`${this.where}: it was closed.`);
    await this.ensureSchema();
    return this.connect();
  }

  /** Back to the pool; after a failure (`error` given) the connection is closed instead. */
  release(client: PostgresPoolClient, error?: unknown): void {
    client.removeListener?.('error', ignore);
    client.release(error === undefined ? undefined : error instanceof Error ? error : true);
  }

  /** One statement within timeoutMs. Past it the statement may still be running: the caller's failure path closes the connection. */
  statement(client: PostgresPoolClient, text: string, values?: readonly unknown[]): Promise<PostgresQueryResult> {
    return withDeadline(client.query(text, values), this.timeoutMs, () => new Error(`${this.where}: PostgreSQL did not answer in time.`));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.pool.end();
  }

  private async connect(): Promise<PostgresPoolClient> {
    const client = await withDeadline(
      this.pool.connect(),
      this.timeoutMs,
      () => new Error(`${this.where}: no PostgreSQL connection within ${this.timeoutMs} ms.`),
      (late) => late.release(),
    );
    // A connection that fails while checked out emits 'error'; without a listener that would end the process.
    // The failure itself reaches whoever is using the connection, as a rejected query.
    client.on?.('error', ignore);
    return client;
  }

  private ensureSchema(): Promise<void> {
    if (!this.createTable) return Promise.resolve();
    this.schemaReady ??= this.connect()
      .then(async (client) => {
        try {
          await this.statement(client, this.ddl(this.schema));
        } catch (error) {
          this.release(client, error);
          throw error;
        }
        this.release(client);
      })
      .catch((error: unknown) => {
        // Tried again by the next call: the database may just have been down.
        this.schemaReady = undefined;
        throw error;
      });
    return this.schemaReady;
  }

  private createPool(connectionString: string): PostgresPool {
    const { Pool } = loadPg(this.where);
    const pool = new Pool({ connectionString, connectionTimeoutMillis: this.timeoutMs });
    // An idle connection the server closed: the pool drops it and opens a new one when needed.
    pool.on('error', ignore);
    return pool;
  }
}

function ignore(): void {}
