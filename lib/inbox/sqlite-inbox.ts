import { DurableInbox, type InboxOptions } from './durable-inbox';
import { SqliteInboxStorage } from './sqlite-client';

export { SqliteInboxStorage };

export interface SqliteInboxOptions extends InboxOptions {
  /** The database file, created if missing (its directory must exist). Keep it on a local disk. */
  path: string;
}

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
    if (options === null || typeof options !== 'object' || typeof options.path !== 'string' || options.path === '') {
      throw new TypeError(`${where}: path must be the database file to use, e.g. { path: './webhooks-inbox.db' }.`);
    }
    super(where, new SqliteInboxStorage(options.path), options);
  }
}
