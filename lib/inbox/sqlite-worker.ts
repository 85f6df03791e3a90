/**
 * The inbox's own thread: it owns the SQLite connection, so the app's event
 * loop never waits for a disk flush or another process's write lock. Started
 * by lib/inbox/sqlite-client.ts with `workerData.path`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GroupCommit, type ThreadRequest } from './group-commit';
import { SqliteInboxDatabase } from './sqlite-database';

const port = parentPort!;
// Opening throws here when the file cannot be opened: the thread ends, and the main thread answers its callers with that error.
const db = new SqliteInboxDatabase((workerData as { path: string }).path);
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
