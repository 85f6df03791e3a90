import { identifier, qualified } from './identifiers';

export const DEFAULT_DEDUP_TABLE = 'epw_dedup';
export const DEFAULT_INBOX_TABLE = 'epw_inbox';

/**
 * The dedup table: one row per notification key, a lock (`done` false, held
 * by `token` until `expires_at`) or a done marker (until `expires_at`).
 */
export function dedupTableSql(schema: string, table: string): string {
  const name = qualified(schema, table);
  return `CREATE TABLE IF NOT EXISTS ${name} (
  key text PRIMARY KEY,
  token text NOT NULL,
  done boolean NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS "${table}_expires_at" ON ${name} (expires_at);
`;
}

/** The table of the inbox's attempt history, beside the inbox table. */
export function attemptsTableName(table: string): string {
  return `${table}_attempts`;
}

/**
 * The inbox table: one row per stored notification; times in ms since the
 * epoch, as the other inboxes keep them. Its attempt history: one row per
 * attempt or replay of an entry, deleted with the entry (ON DELETE CASCADE).
 */
export function inboxTableSql(schema: string, table: string): string {
  const name = qualified(schema, table);
  const attempts = attemptsTableName(table);
  return `CREATE TABLE IF NOT EXISTS ${name} (
  key text PRIMARY KEY,
  provider text NOT NULL,
  event text NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'done', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  stored_at bigint NOT NULL,
  next_attempt_at bigint,
  lease text,
  lease_until bigint,
  finished_at bigint,
  last_error text,
  replayed_at bigint
);
-- Tables made before a replay restarted the attempt budget lack it.
ALTER TABLE ${name} ADD COLUMN IF NOT EXISTS replayed_at bigint;
CREATE INDEX IF NOT EXISTS "${table}_due" ON ${name} (state, provider, next_attempt_at);
CREATE INDEX IF NOT EXISTS "${table}_finished" ON ${name} (state, finished_at);
CREATE TABLE IF NOT EXISTS ${qualified(schema, attempts)} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key text NOT NULL REFERENCES ${name} (key) ON DELETE CASCADE,
  attempt integer NOT NULL,
  lease text,
  outcome text NOT NULL CHECK (outcome IN ('running', 'delivered', 'failed', 'expired', 'abandoned', 'replayed')),
  started_at bigint NOT NULL,
  finished_at bigint,
  error text
);
CREATE INDEX IF NOT EXISTS "${attempts}_key" ON ${qualified(schema, attempts)} (key, id);
`;
}

/**
 * The DDL as one transaction under an advisory lock: instances starting
 * together would otherwise race in CREATE … IF NOT EXISTS, which is not safe
 * against a concurrent create of the same table.
 */
export function lockedDdl(ddl: string): string {
  return `BEGIN;\nSELECT pg_advisory_xact_lock(${SCHEMA_LOCK});\n${ddl}COMMIT;\n`;
}

/** An arbitrary constant: the advisory lock the package's DDL is serialized on. */
const SCHEMA_LOCK = 0x6570770001;

export interface PostgresSchemaOptions {
  /** Default 'public'. The schema must exist. */
  schema?: string;
  /** Default 'epw_dedup' (PostgresDedupStore's `table`). */
  dedupTable?: string;
  /** Default 'epw_inbox' (PostgresInbox's `table`). */
  inboxTable?: string;
}

/**
 * The migration that creates the tables of PostgresDedupStore and
 * PostgresInbox, for a merchant who runs migrations themselves (then give the
 * classes `createTable: false`). Idempotent.
 */
export function postgresSchemaSql(options: PostgresSchemaOptions = {}): string {
  const where = 'express-payment-webhooks (postgresSchemaSql)';
  const schema = identifier(where, 'schema', options.schema, 'public');
  const dedupTable = identifier(where, 'dedupTable', options.dedupTable, DEFAULT_DEDUP_TABLE);
  const inboxTable = identifier(where, 'inboxTable', options.inboxTable, DEFAULT_INBOX_TABLE);
  return `${dedupTableSql(schema, dedupTable)}\n${inboxTableSql(schema, inboxTable)}`;
}
