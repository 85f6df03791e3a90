import type { Worker } from 'node:worker_threads';
import type { InboxCount, InboxEntry, InboxHistoryRecord, InboxListOptions, InboxPurgeOptions } from './inbox';
import type { ThreadError, ThreadReply, ThreadRequest } from './group-commit';
import type { LeaseRef, SqliteInboxDatabase, SqliteRow } from './sqlite-database';
import { assertPeerInstalled } from '../core/peer-dependency';
import { nextUniqueToken } from '../core/unique-token';
import { LIST_LIMIT, listedStates, sortCounts, toHistoryRecord, toInboxEntry, type InboxStorage, type LeasedEntry } from './storage';
import { startWorkerThread } from './worker-thread';

type Method = Exclude<keyof SqliteInboxDatabase, 'inTransaction'>;
type Result<M extends Method> = ReturnType<SqliteInboxDatabase[M]>;

interface Call {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * The SQLite inbox as the main thread sees it: every call is a message to
 * the inbox's thread (lib/inbox/sqlite-worker.ts), which owns the
 * connection and group-commits the writes; a call resolves once its
 * transaction is on disk. If the thread dies (a native crash, terminated),
 * its pending calls reject, so nothing is acked, and the next call starts a
 * new thread.
 */
export class SqliteInboxStorage implements InboxStorage {
  private thread: Worker | undefined;
  private readonly calls = new Map<number, Call>();
  private lastId = 0;
  private closing: Promise<void> | undefined;
  private outbox: { thread: Worker; requests: ThreadRequest[] } | undefined;

  constructor(private readonly path: string) {
    // Here, not only on the thread: a missing better-sqlite3 is said when the inbox is made, with how to install it.
    assertPeerInstalled('better-sqlite3', 'SqliteInbox');
    // Started now, not at the first notification: the file is made (or found unusable) when the app starts.
    this.startThread();
  }

  put(key: string, provider: string, event: string, now: number): Promise<'stored' | 'duplicate'> {
    return this.call('put', key, provider, event, now);
  }

  async putLeased(key: string, provider: string, event: string, now: number, leaseMs: number): Promise<LeasedEntry | 'duplicate'> {
    const lease = nextUniqueToken();
    const stored = await this.call('putLeased', key, provider, event, now, lease, now + leaseMs);
    return stored === 'duplicate' ? stored : { key, provider, event, attempt: 1, budgetFrom: now, lease };
  }

  lease(providers: readonly string[], limit: number, now: number, leaseMs: number): Promise<LeasedEntry[]> {
    return this.call('lease', providers, limit, now, leaseMs);
  }

  renew(entry: LeasedEntry, now: number, leaseMs: number): Promise<boolean> {
    return this.call('renew', leaseRef(entry), now, leaseMs);
  }

  complete(entry: LeasedEntry, now: number): Promise<boolean> {
    return this.call('complete', leaseRef(entry), now);
  }

  completeLate(entry: LeasedEntry, now: number): Promise<boolean> {
    return this.call('completeLate', leaseRef(entry), now);
  }

  retry(entry: LeasedEntry, nextAttemptAt: number, error: string, now: number): Promise<boolean> {
    return this.call('retry', leaseRef(entry), nextAttemptAt, error, now);
  }

  bury(entry: LeasedEntry, now: number, error: string): Promise<boolean> {
    return this.call('bury', leaseRef(entry), now, error);
  }

  prune(before: number): Promise<void> {
    return this.call('prune', before);
  }

  async list(options: InboxListOptions): Promise<InboxEntry[]> {
    const rows = await this.call('list', { provider: options.provider }, listedStates(options), options.limit ?? LIST_LIMIT);
    return rows.map(toEntry);
  }

  async get(key: string): Promise<InboxEntry | undefined> {
    const row = await this.call('get', key);
    return row === undefined ? undefined : toEntry(row);
  }

  async history(key: string): Promise<InboxHistoryRecord[]> {
    return (await this.call('history', key)).map(toHistoryRecord);
  }

  async counts(): Promise<InboxCount[]> {
    return sortCounts(await this.call('counts'));
  }

  replay(keys: readonly string[] | 'dead', now: number): Promise<string[]> {
    return this.call('replay', keys, now);
  }

  purge(options: InboxPurgeOptions): Promise<number> {
    return this.call('purge', options.state ?? 'done', options.finishedBefore?.getTime() ?? null);
  }

  /** The thread's connection settings (journal mode, synchronous). */
  settings(): Promise<Result<'settings'>> {
    return this.call('settings');
  }

  /** Commits and answers what was sent, closes the connection, ends the thread. */
  close(): Promise<void> {
    this.closing ??= this.stopThread();
    return this.closing;
  }

  private async stopThread(): Promise<void> {
    const thread = this.thread;
    if (thread === undefined) return;
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    await this.send(thread, 'close', []).catch(() => undefined);
    // Answered, so no call holds the process open any more; its exit must still be waited for (a CLI prints after close()).
    thread.ref();
    await exited;
  }

  private call<M extends Method>(method: M, ...args: Parameters<SqliteInboxDatabase[M]>): Promise<Result<M>> {
    if (this.closing !== undefined) return Promise.reject(new Error('express-payment-webhooks (SqliteInbox): the inbox is closed.'));
    return this.send(this.thread ?? this.startThread(), method, args) as Promise<Result<M>>;
  }

  private send(thread: Worker, method: string, args: unknown[]): Promise<unknown> {
    const id = ++this.lastId;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      // A call in flight keeps the process alive (a CLI awaiting it); an idle thread does not.
      if (this.calls.size === 1) thread.ref();
      this.post(thread, { id, method, args });
    });
  }

  /**
   * The calls of one turn of the event loop leave in one message, sent at the
   * end of the turn (setImmediate): under load many requests reach their put
   * in the same turn, and each message costs both threads more than a put's
   * statement. The batch belongs to the thread it was made for: if that
   * thread dies first, its calls are rejected with the others it held.
   */
  private post(thread: Worker, request: ThreadRequest): void {
    if (this.outbox?.thread === thread) {
      this.outbox.requests.push(request);
      return;
    }
    const outbox = { thread, requests: [request] };
    this.outbox = outbox;
    setImmediate(() => {
      if (this.outbox === outbox) this.outbox = undefined;
      thread.postMessage(outbox.requests);
    });
  }

  private startThread(): Worker {
    const thread = startWorkerThread('sqlite-worker', { path: this.path });
    this.thread = thread;
    let failure: unknown;
    thread.on('message', (replies: ThreadReply[]) => {
      for (const reply of replies) this.settle(thread, reply);
    });
    thread.on('error', (error) => {
      failure = error;
    });
    thread.on('exit', (code) => {
      if (this.thread === thread) this.thread = undefined;
      // Every call still pending was sent to this thread: none of them was answered, so none is acked.
      const why = failure === undefined ? '' : `: ${describeFailure(failure)}`;
      const error = new Error(`express-payment-webhooks (SqliteInbox): the inbox's SQLite thread stopped (exit code ${code}) before answering${why}.`, { cause: failure });
      for (const call of this.calls.values()) call.reject(error);
      this.calls.clear();
    });
    // After the listeners: adding the first 'message' listener refs the thread's port again, and an
    // idle inbox (one never used, or never closed) must not keep the process alive.
    thread.unref();
    return thread;
  }

  private settle(thread: Worker, reply: ThreadReply): void {
    const call = this.calls.get(reply.id);
    if (call === undefined) return;
    this.calls.delete(reply.id);
    if (this.calls.size === 0) thread.unref();
    if (reply.ok) call.resolve(reply.value);
    else call.reject(fromThreadError(reply.error));
  }
}

/**
 * What the thread died of, in words. An error that is not an Error to
 * structured clone (better-sqlite3's SqliteError thrown outside a call)
 * arrives as a bare object holding its enumerable fields, its message lost.
 */
function describeFailure(failure: unknown): string {
  const { message, code } = (failure ?? {}) as { message?: unknown; code?: unknown };
  if (typeof message === 'string') return message;
  if (typeof code === 'string') return `SQLite error ${code}`;
  return String(failure);
}

/** Just the key and lease: a message to the thread is copied, and the event it would otherwise carry is most of an entry. */
function leaseRef(entry: LeasedEntry): LeaseRef {
  return { key: entry.key, lease: entry.lease };
}

function fromThreadError(thrown: ThreadError): Error {
  const error = new Error(thrown.message) as Error & { code?: string };
  error.name = thrown.name;
  if (thrown.code !== undefined) error.code = thrown.code;
  return error;
}

function toEntry(row: SqliteRow): InboxEntry {
  return toInboxEntry({
    key: row.key,
    provider: row.provider,
    state: row.state,
    attempts: row.attempts,
    storedAt: row.stored_at,
    nextAttemptAt: row.next_attempt_at ?? undefined,
    finishedAt: row.finished_at ?? undefined,
    lastError: row.last_error ?? undefined,
    event: row.event,
  });
}
