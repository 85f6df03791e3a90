import type { PostgresPool } from './types';

interface PgModule {
  Pool: new (config: Record<string, unknown>) => PostgresPool & { on(event: 'error', listener: (error: Error) => void): unknown };
}

/**
 * node-postgres is an optional peer dependency, loaded only when a Postgres
 * class is given a `connectionString` (a merchant's own `pool` needs no load
 * at all), so apps that do not use PostgreSQL never need it installed.
 */
export function loadPg(where: string): PgModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('pg') as PgModule;
  } catch (error) {
    if ((error as NodeJS.ErrnoException)?.code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes("'pg'")) {
      throw new Error(`${where}: the pg package is not installed; run npm install pg.`);
    }
    throw error;
  }
}
