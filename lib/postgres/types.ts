/**
 * The parts of node-postgres (`pg`) the package uses, as structural types:
 * the published typings do not depend on `@types/pg`, and a `pg.Pool` or
 * `pg.PoolClient` fits them as they are.
 */

export interface PostgresQueryResult {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  rows: any[];
  rowCount: number | null;
}

/**
 * A connection to run queries on: `ctx.db` in transactional mode is the
 * `pg.PoolClient` of the transaction (cast it, `ctx.db as PoolClient`, for
 * pg's full typings).
 */
export interface PostgresClient {
  query(text: string, values?: readonly unknown[]): Promise<PostgresQueryResult>;
}

/** A client checked out of a pool (`pg.PoolClient`). */
export interface PostgresPoolClient extends PostgresClient {
  /** Back to the pool; with an Error (or true) the connection is closed instead. */
  release(destroy?: boolean | Error): void;
  on?(event: 'error', listener: (error: Error) => void): unknown;
  removeListener?(event: 'error', listener: (error: Error) => void): unknown;
}

/** A connection pool (`pg.Pool`). */
export interface PostgresPool {
  connect(): Promise<PostgresPoolClient>;
  end(): Promise<void>;
}
