/**
 * The inbox's own thread: it owns the SQLite connection, so the app's event
 * loop never waits for a disk flush or another process's write lock. Started
 * by lib/inbox/sqlite-client.ts with `workerData.path`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GroupCommit, toThreadError, type ThreadRequest } from './group-commit';
import { SqliteInboxDatabase } from './sqlite-database';

const port = parentPort!;
// Opening throws here when the file cannot be opened: the thread ends, and the main thread answers its callers with that error.
const db = open((workerData as { path: string }).path);
const methods = db as unknown as Record<string, (...args: unknown[]) => unknown>;

const commits = new GroupCommit({
  run: (request) => {
    const method = methods[request.method];
    if (typeof method !== 'function' || request.method === 'close' || request.method === 'constructor') {
      throw new TypeError(`no inbox method ${request.method}`);
    }
    return method.apply(db, request.args);
  },
  transaction: (work) => db.inTransaction(work),
  reply: (replies) => port.postMessage(replies),
});

// The main thread sends the calls of one of its turns as one message (lib/inbox/sqlite-client.ts).
port.on('message', (requests: ThreadRequest[]) => {
  for (const request of requests) {
    if (request.method !== 'close') {
      commits.add(request);
      continue;
    }
    // What arrived before the close is committed and answered first.
    commits.flush();
    db.close();
    port.postMessage([{ id: request.id, ok: true, value: undefined }]);
    port.close();
    return;
  }
});

function open(path: string): SqliteInboxDatabase {
  try {
    return new SqliteInboxDatabase(path);
  } catch (error) {
    // better-sqlite3's SqliteError is not an Error to structured clone (it is not made by Error's
    // constructor): it would reach the main thread as a bare `{ code }`, its message lost.
    const { message, code } = toThreadError(error);
    throw Object.assign(new Error(code === undefined ? message : `${message} (${code})`), { code });
  }
}
