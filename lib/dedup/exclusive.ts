import type { PostgresClient } from '../postgres/types';
import type { DedupStore } from './store';

/**
 * What a transactional run came to. 'ran': the work ran, and its writes and
 * the done marker committed together; 'done': the key was already done, the
 * work did not run; 'in-flight': another run holds the key, the work did not run.
 */
export type ExclusiveOutcome = 'ran' | 'done' | 'in-flight';

/**
 * A store that can run the work itself, inside the transaction that records
 * the key as done (option `transactional: true`): the claim, the work's own
 * writes on `db` and the done marker commit as one, or not at all. There is
 * no window where the work is done but not yet marked done.
 */
export interface ExclusiveDedupStore extends DedupStore {
  /**
   * Rejects with the work's own error (after rolling back) when the work
   * fails, and with the store's error when the store fails (then nothing
   * committed, or, if COMMIT itself was cut off, maybe everything did: a
   * retry is answered 'done' then).
   */
  runExclusive(key: string, doneTtlMs: number, work: (db: PostgresClient) => Promise<unknown>): Promise<ExclusiveOutcome>;
}

export function canRunExclusive(store: DedupStore): store is ExclusiveDedupStore {
  return typeof (store as Partial<ExclusiveDedupStore>).runExclusive === 'function';
}

/** Option `transactional`, checked at startup: the store it needs, or undefined when off. */
export function exclusiveStoreOf(
  where: string,
  options: { transactional?: unknown; store?: DedupStore; inbox?: { transactionalDeliveries?: boolean } },
): ExclusiveDedupStore | undefined {
  const { transactional, store, inbox } = options;
  if (transactional === undefined || transactional === false) return undefined;
  if (transactional !== true) throw new TypeError(`${where}: transactional must be true or false.`);
  if (inbox !== undefined) {
    // The handler runs at delivery, in the inbox's transaction; the request only stores the notification.
    if (inbox.transactionalDeliveries !== true) {
      throw new TypeError(`${where}: transactional: true with an inbox needs one that delivers in a transaction of its database (a PostgresInbox).`);
    }
    return undefined;
  }
  if (store === undefined || !canRunExclusive(store)) {
    throw new TypeError(`${where}: transactional: true needs a store that runs the handler in its transaction (a PostgresDedupStore), or a PostgresInbox.`);
  }
  return store;
}
