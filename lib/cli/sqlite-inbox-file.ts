import { existsSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import { requirePeer } from '../core/peer-dependency';

/**
 * The columns a SqliteInbox file's `inbox` table has. A real inbox that lacks
 * one would fail the CLI's own tests (they run it against files the library
 * made), so this list cannot drift from the schema unnoticed.
 */
const INBOX_COLUMNS = ['key', 'provider', 'event', 'state', 'attempts', 'stored_at', 'next_attempt_at', 'lease', 'lease_until', 'finished_at', 'last_error'];

/**
 * Refuses a `--db` that is not an inbox before anything opens it to write:
 * opening a SqliteInbox creates the file when missing, adds its tables and
 * switches the file to WAL, which would quietly alter a typo'd path or
 * another application's database. The file is looked at read-only.
 */
export function assertInboxFile(path: string): void {
  if (!existsSync(path)) throw new Error(`no inbox database at ${path}`);
  let columns: string[];
  // Outside the try: a missing better-sqlite3 is said as such, not as "not an inbox".
  const open = requirePeer<typeof import('better-sqlite3')>('better-sqlite3', 'inbox --db');
  let db: Database | undefined;
  try {
    db = new open(path, { readonly: true, fileMustExist: true });
    columns = (db.prepare("SELECT name FROM pragma_table_info('inbox')").all() as Array<{ name: string }>).map((column) => column.name);
  } catch (error) {
    throw new Error(`${path} is not an inbox database (${(error as { code?: string }).code ?? 'unreadable'}); nothing was changed`);
  } finally {
    db?.close();
  }
  if (columns.length === 0) throw new Error(`${path} is not an inbox database: it has no inbox table; nothing was changed`);
  const missing = INBOX_COLUMNS.filter((name) => !columns.includes(name));
  if (missing.length > 0) throw new Error(`${path} is not an inbox database: its inbox table has no ${missing.join(', ')} column; nothing was changed`);
}
