import type { Command } from 'commander';
import type { DurableInbox } from '../inbox/durable-inbox';
import { PostgresInbox } from '../inbox/postgres-inbox';
import { loadPg } from '../postgres/load-pg';
import { DEFAULT_INBOX_TABLE } from '../postgres/schema';

export interface PostgresSourceOptions {
  postgres?: string;
  table?: string;
  db?: string;
  redis?: string;
  prefix?: string;
}

const WHERE = 'express-payment-webhooks inbox';

/** --postgres <url> [--table [schema.]name]: a PostgresInbox. */
export function withPostgresSourceOptions(command: Command): Command {
  return command
    .option('--postgres <url>', 'the PostgresInbox database, e.g. postgres://user@127.0.0.1:5432/shop')
    .option('--table <name>', `the PostgresInbox table, or schema.table (default '${DEFAULT_INBOX_TABLE}')`);
}

/** Whether the command was given a PostgresInbox (or a PostgresInbox option without one, a usage error there). */
export function wantsPostgres(options: PostgresSourceOptions): boolean {
  return options.postgres !== undefined || options.table !== undefined;
}

/**
 * Opens the PostgresInbox only to read and change entries (see withInbox).
 * It never creates its table: a mistyped URL or table name must not look like
 * an empty inbox, so a missing table is an error.
 */
export async function withPostgresInbox<T>(command: Command, options: PostgresSourceOptions, use: (inbox: DurableInbox) => Promise<T>): Promise<T> {
  if (options.postgres === undefined) command.error('error: --table only applies to --postgres', { exitCode: 2, code: 'epw.usage' });
  if (options.db !== undefined || options.redis !== undefined) {
    command.error('error: give the inbox as --db <path>, --redis <url> or --postgres <url> (one of them)', { exitCode: 2, code: 'epw.usage' });
  }
  if (options.prefix !== undefined) command.error('error: --prefix only applies to --redis', { exitCode: 2, code: 'epw.usage' });
  const [schema = 'public', table] = schemaAndTable(options.table ?? DEFAULT_INBOX_TABLE);
  const { Pool } = loadPg(WHERE);
  // A command-line run gives up on an unreachable server instead of waiting.
  const pool = new Pool({ connectionString: options.postgres, connectionTimeoutMillis: 5000, max: 2 });
  pool.on('error', () => undefined);
  try {
    const inbox = new PostgresInbox({ pool, schema, table, createTable: false, timeoutMs: 5000 });
    try {
      const client = await pool.connect();
      try {
        const { rows } = await client.query('SELECT to_regclass($1) IS NOT NULL AS found', [`"${schema}"."${table}"`]);
        if (rows[0]?.found !== true) throw new Error(`no inbox table ${schema}.${table} in that database`);
      } finally {
        client.release();
      }
      return await use(inbox);
    } finally {
      await inbox.close();
    }
  } finally {
    await pool.end();
  }
}

/** `name` or `schema.name`; PostgresInbox checks each part. */
function schemaAndTable(value: string): [string | undefined, string] {
  const parts = value.split('.');
  return parts.length === 2 ? [parts[0], parts[1]!] : [undefined, value];
}
