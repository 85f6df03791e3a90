/**
 * The SQLite inbox off the event loop: its connection lives on its own
 * thread, concurrent puts share one commit, and a dead thread never acks.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { createPay247WebhookMiddleware, SqliteInbox, type WebhookError } from '../../lib';
import { serializeEvent } from '../../lib/inbox/serialize';
import { SqliteInboxStorage } from '../../lib/inbox/sqlite-inbox';
import { buildPay247Notification } from '../../lib/testing';
import { until } from '../helpers/async';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { listen, post } from '../helpers/server';
import { FAST } from './backends';

const dir = mkdtempSync(join(tmpdir(), 'epw-sqlite-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `inbox-${n++}.db`);
const event = (id: string) => serializeEvent({ provider: 'pay247', id, type: 'payout.succeeded', data: {}, signedFields: [], receivedAt: new Date(0) } as never);

/** Another process's write transaction on the file, held until `release()`. */
function holdWriteLock(path: string): { release(): void } {
  const other = new BetterSqlite3(path);
  other.exec('BEGIN IMMEDIATE');
  return {
    release: () => {
      other.exec('COMMIT');
      other.close();
    },
  };
}

const internals = (storage: SqliteInboxStorage) => storage as unknown as { calls: Map<number, unknown>; thread: Worker | undefined };
const walFrames = (path: string) => {
  const size = statSync(`${path}-wal`).size;
  return size === 0 ? 0 : (size - 32) / (4096 + 24);
};

describe('SqliteInbox thread', () => {
  test("another process's write lock does not block the app: the event loop runs while the put waits, and the put is stored once the lock is released", async () => {
    const path = freshPath();
    const storage = new SqliteInboxStorage(path);
    await storage.put('pay247:0', 'pay247', event('0'), 1);
    const lock = holdWriteLock(path);
    let settled = false;
    const put = storage.put('pay247:1', 'pay247', event('1'), 2).finally(() => (settled = true));
    // Timers keep firing while the put waits for the lock: the main thread is free.
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    lock.release();
    expect(await put).toBe('stored');
    expect(await storage.get('pay247:1')).toMatchObject({ key: 'pay247:1', state: 'pending' });
    await storage.close();
  });

  test('puts that arrive together are one commit: 50 concurrent puts add a few WAL frames, not 50 commits', async () => {
    const path = freshPath();
    const storage = new SqliteInboxStorage(path);
    await storage.put('pay247:0', 'pay247', event('0'), 1);
    const before = walFrames(path);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => storage.put(`pay247:${i + 1}`, 'pay247', event(String(i + 1)), 2)));
    expect(results).toEqual(Array(50).fill('stored'));
    // A commit writes each page it changed once (table and two indexes: 3 frames or so); one commit per put
    // would write at least 3 x 50. Under load the thread may commit what has arrived in a few groups, never 50.
    expect(walFrames(path) - before).toBeLessThan(50);
    expect(await storage.list({ limit: 100 })).toHaveLength(51);
    await storage.close();
  });

  test('the calls of one turn cross to the thread in one message, each still answered on its own', async () => {
    const storage = new SqliteInboxStorage(freshPath());
    const thread = internals(storage).thread!;
    const post = jest.spyOn(thread, 'postMessage');
    const results = await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => storage.put(`pay247:${i}`, 'pay247', event(String(i)), 1)),
      storage.put('pay247:0', 'pay247', event('0'), 1),
      storage.get('pay247:0'),
    ]);
    expect(post).toHaveBeenCalledTimes(1);
    expect(post.mock.calls[0][0]).toHaveLength(42);
    expect(results.slice(0, 40)).toEqual(Array(40).fill('stored'));
    expect(results.slice(40, 41)).toEqual(['duplicate']);
    expect(results[41]).toMatchObject({ key: 'pay247:0', state: 'pending' });
    post.mockRestore();
    await storage.close();
  });

  test('a duplicate within one group commit is a duplicate: the first put of a key is stored, the second is not', async () => {
    const storage = new SqliteInboxStorage(freshPath());
    expect(await Promise.all([storage.put('pay247:1', 'pay247', '{"a":1}', 1), storage.put('pay247:1', 'pay247', '{"a":2}', 1)])).toEqual(['stored', 'duplicate']);
    await storage.close();
  });

  test('a database that cannot be opened rejects the calls with a clear error, never resolves them', async () => {
    const storage = new SqliteInboxStorage(join(dir, 'missing-directory', 'inbox.db'));
    await expect(storage.put('pay247:1', 'pay247', event('1'), 1)).rejects.toThrow(/SQLite thread stopped .*: Cannot open database because the directory does not exist/);
    await storage.close();
  });

  test("a rollback-journal file that another connection is writing to: the inbox waits for the write to end and switches the file to WAL, instead of failing to open", async () => {
    // SQLite takes the lock that turning WAL on needs without waiting (no busy handler): before the
    // wait, two processes opening one new file at the same instant could crash one inbox's thread.
    // A thread started once before starts fast (its compiled sources are cached), so this one's
    // first attempt is sure to come while the write below is still going on.
    await new SqliteInboxStorage(freshPath()).close();
    const path = freshPath();
    const writer = new BetterSqlite3(path);
    writer.exec('CREATE TABLE other (x); BEGIN IMMEDIATE; INSERT INTO other VALUES (1);');
    expect(writer.pragma('journal_mode', { simple: true })).toBe('delete');
    const storage = new SqliteInboxStorage(path);
    const put = storage.put('pay247:1', 'pay247', event('1'), 1);
    // Well within the 2 s the inbox waits for a lock, well beyond a warm thread's start.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    writer.exec('COMMIT');
    writer.close();
    expect(await put).toBe('stored');
    expect(await storage.settings()).toEqual({ journalMode: 'wal', synchronous: 2 });
    await storage.close();
  });

  test("a SQLite error while opening is said with SQLite's own message and code, not as an empty object", async () => {
    const path = freshPath();
    writeFileSync(path, 'not a database, but long enough to be read as a header '.repeat(20));
    const storage = new SqliteInboxStorage(path);
    await expect(storage.put('pay247:1', 'pay247', event('1'), 1)).rejects.toThrow(/SQLite thread stopped .*: file is not a database \(SQLITE_NOTADB\)/);
    await storage.close();
  });

  test('a thread that dies of an error which crossed as a bare object still names its code to the callers', async () => {
    const storage = new SqliteInboxStorage(freshPath());
    await storage.put('pay247:0', 'pay247', event('0'), 1);
    const thread = internals(storage).thread!;
    const pending = storage.put('pay247:1', 'pay247', event('1'), 2);
    // What a SqliteError thrown on the thread outside any call reaches the main thread as.
    thread.emit('error', { code: 'SQLITE_IOERR' });
    void thread.terminate();
    await expect(pending).rejects.toThrow(/SQLite thread stopped \(exit code 1\) before answering: SQLite error SQLITE_IOERR\./);
    await storage.close();
  });

  test('after close, calls reject; close twice is fine', async () => {
    const storage = new SqliteInboxStorage(freshPath());
    await storage.put('pay247:1', 'pay247', event('1'), 1);
    await Promise.all([storage.close(), storage.close()]);
    await expect(storage.get('pay247:1')).rejects.toThrow(/closed/);
  });
});

describe.each(EXPRESS_VERSIONS)('SqliteInbox thread killed mid-write, on $name', (express) => {
  test('requests waiting on a terminated thread are answered 503 and reported, never acked; their retries are stored and delivered once each', async () => {
    const path = freshPath();
    const delivered: string[] = [];
    const errors: WebhookError[] = [];
    const inbox = new SqliteInbox({ ...FAST, path });
    const app = express.create();
    app.post(
      '/notify/pay247',
      createPay247WebhookMiddleware({ secret: 'thread-secret', inbox, onEvent: (event) => void delivered.push(event.id), onError: (error) => void errors.push(error) }),
    );
    const server = await listen(app);
    const storage = (inbox as unknown as { storage: SqliteInboxStorage }).storage;
    try {
      await storage.put('warm:up', 'other', '{}', Date.now());
      const notifications = Array.from({ length: 5 }, () => buildPay247Notification({ secret: 'thread-secret' }));
      const lock = holdWriteLock(path);
      const answers = Promise.all(notifications.map((n) => post(`${server.url}/notify/pay247`, n.body, n.headers)));
      await until(() => internals(storage).calls.size >= 5);
      const exited = new Promise((resolve) => internals(storage).thread!.once('exit', resolve));
      void internals(storage).thread!.terminate();
      // The blocked commit may even complete as the thread dies: its puts were still never answered.
      lock.release();
      await exited;
      expect((await answers).map((answer) => answer.status)).toEqual([503, 503, 503, 503, 503]);
      // Each request's failure is reported with its event (the delivery worker may report the outage too).
      expect(new Set(errors.map((error) => error.code))).toEqual(new Set(['INBOX_UNAVAILABLE']));
      const ids = notifications.map((n) => `${n.fields.order_no}:2`).sort();
      expect(errors.flatMap((error) => (error.eventId === undefined ? [] : [error.eventId])).sort()).toEqual(ids);

      // The provider retries: a new thread stores (or finds) each, and each is delivered once.
      const retries = await Promise.all(notifications.map((n) => post(`${server.url}/notify/pay247`, n.body, n.headers)));
      expect(retries.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
      await until(() => delivered.length === 5);
      expect(delivered.sort()).toEqual(ids);
    } finally {
      await server.close();
      await inbox.close();
    }
  });
});

describe('an idle SqliteInbox does not keep the process alive', () => {
  // Run in a process of its own (the built package): a script that makes an inbox and forgets to close it must still end.
  const ROOT = join(__dirname, '..', '..');
  const run = (script: string) =>
    new Promise<{ code: number | null; timedOut: boolean }>((resolve) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { spawn } = require('node:child_process') as typeof import('node:child_process');
      const child = spawn(process.execPath, ['-e', script], { cwd: ROOT, stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, timedOut: code === null });
      });
    });

  test.each([
    ['made and never used', ''],
    ['used once (a call answered), not closed', 'await inbox.list({ limit: 1 });'],
  ])('%s: the process ends by itself', async (_name, use) => {
    const script = `const { SqliteInbox } = require('./dist'); (async () => { const inbox = new SqliteInbox({ path: ${JSON.stringify(freshPath())} }); ${use} })();`;
    expect(await run(script)).toEqual({ code: 0, timedOut: false });
  }, 20_000);
});
