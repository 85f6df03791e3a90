import { assertKnownOptions, type OptionNames } from '../core/option-names';
import { DurableInbox, INBOX_OPTION_NAMES, type InboxOptions } from './durable-inbox';
import { SqliteInboxStorage } from './sqlite-client';

export { SqliteInboxStorage };

export interface SqliteInboxOptions extends InboxOptions {
  /** The database file, created if missing (its directory must exist). Keep it on a local disk. */
  path: string;
}

const SQLITE_INBOX_OPTION_NAMES: OptionNames<SqliteInboxOptions> = { ...INBOX_OPTION_NAMES, path: true };

/**
 * The embedded inbox: one SQLite file, no server. Share one SqliteInbox
 * between the middlewares of an app (one per provider); several processes
 * may open the same file, leases keep them from running an entry twice.
 * The connection lives on the inbox's own worker thread; puts that arrive
 * together are committed together (one fsync), each acked once on disk.
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
