/** One call of the inbox's thread, by method name (lib/inbox/sqlite-database.ts). */
export interface ThreadRequest {
  id: number;
  method: string;
  args: unknown[];
}

/** An error as it crosses threads: what the main thread rebuilds (an Error's own `code` would be lost by structured clone). */
export interface ThreadError {
  name: string;
  message: string;
  code: string | undefined;
}

export type ThreadReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: ThreadError };

export function toThreadError(error: unknown): ThreadError {
  const { name, message, code } = (error ?? {}) as { name?: unknown; message?: unknown; code?: unknown };
  return {
    name: typeof name === 'string' ? name : 'Error',
    message: typeof message === 'string' ? message : String(error),
    code: typeof code === 'string' ? code : undefined,
  };
}

export interface GroupCommitOptions {
  /** Runs one request (synchronously). */
  run(request: ThreadRequest): unknown;
  /** Runs `work` as one transaction: committed (and synced) once, or rolled back. */
  transaction<T>(work: () => T): T;
  /** Sends the replies of one commit, once it is durable. */
  reply(replies: ThreadReply[]): void;
  /** When to commit what has arrived: after the other messages already queued. Default setImmediate. */
  schedule?(flush: () => void): void;
}

/**
 * Group commit: the requests that arrive while the thread is busy (typically
 * syncing the previous commit) are run together in one transaction, so N
 * concurrent puts cost one fsync, not N; each is answered only after that
 * commit returned, i.e. once it is on disk. If the transaction fails, each
 * request is run again alone, so one request's failure is never another's.
 */
export class GroupCommit {
  private queue: ThreadRequest[] = [];
  private scheduled = false;
  private readonly schedule: (flush: () => void) => void;

  constructor(private readonly options: GroupCommitOptions) {
    this.schedule = options.schedule ?? ((flush) => void setImmediate(flush));
  }

  add(request: ThreadRequest): void {
    this.queue.push(request);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => this.flush());
  }

  /** Commits what has arrived now (also before closing). */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const { run, transaction, reply } = this.options;
    let replies: ThreadReply[];
    try {
      const values = transaction(() => batch.map((request) => run(request)));
      replies = batch.map((request, i) => ({ id: request.id, ok: true, value: values[i] }));
    } catch {
      replies = batch.map((request) => {
        try {
          return { id: request.id, ok: true, value: transaction(() => run(request)) };
        } catch (error) {
          return { id: request.id, ok: false, error: toThreadError(error) };
        }
      });
    }
    reply(replies);
  }
}
