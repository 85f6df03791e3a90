import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteInboxStorage } from '../../lib/inbox/sqlite-inbox';
import { describeInboxStorageConformance } from './storage-conformance';
import { describeStorageModel } from './storage-model';

const dir = mkdtempSync(join(tmpdir(), 'epw-sqlite-inbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describeInboxStorageConformance('SqliteInbox', async () => {
  // Two connections on one file: what two processes sharing it have.
  const path = join(dir, `inbox-${n++}.db`);
  const a = new SqliteInboxStorage(path);
  const b = new SqliteInboxStorage(path);
  return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
});

describe('SqliteInbox file settings', () => {
  test('WAL journal and synchronous=FULL: a put is on disk before the provider is acked', async () => {
    const path = join(dir, 'pragmas.db');
    const storage = new SqliteInboxStorage(path);
    await storage.put('pay247:1', 'pay247', '{}', Date.now());
    const db = new BetterSqlite3(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    // synchronous is per connection: read it on the storage's own, on its thread.
    expect(await storage.settings()).toEqual({ journalMode: 'wal', synchronous: 2 });
    await storage.close();
  });
});

describe('SqliteInbox loading', () => {
  test('importing the package does not load the native SQLite module; a SqliteInbox loads it on its own thread, never on the main one', async () => {
    const { execFileSync } = await import('node:child_process');
    const dist = join(__dirname, '..', '..', 'dist');
    const script = `
      const { threadId } = require('node:worker_threads');
      const loaded = () => Object.keys(require.cache).some((file) => file.includes('better-sqlite3'));
      const { SqliteInbox } = require(${JSON.stringify(dist)});
      const before = loaded();
      const inbox = new SqliteInbox({ path: ${JSON.stringify(join(dir, 'lazy.db'))} });
      inbox.put('pay247:1', { provider: 'pay247', id: '1', type: 'x', data: {}, signedFields: [], receivedAt: new Date() })
        .then((stored) => inbox.close().then(() => console.log(JSON.stringify([before, stored, loaded(), threadId]))));`;
    expect(JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }))).toEqual([false, 'stored', false, 0]);
  });
});

describe('SqliteInbox storage model', () => {
  // One file and one pair of handles (two threads) for every run, emptied between runs: a thread
  // per handle per run would spend the test's time starting threads.
  const path = join(dir, 'model.db');
  let handles: [SqliteInboxStorage, SqliteInboxStorage] | undefined;
  afterAll(async () => void (await Promise.all((handles ?? []).map((h) => h.close()))));
  describeStorageModel(
    'SqliteInbox',
    async () => {
      handles ??= [new SqliteInboxStorage(path), new SqliteInboxStorage(path)];
      return {
        handles,
        // A lease here is a time: the model's clock passing it is the expiry.
        expire: async () => undefined,
        // Every entry, lease included, is a row: deleting them all is a fresh inbox.
        close: async () => {
          const db = new BetterSqlite3(path);
          db.exec('DELETE FROM inbox');
          db.close();
        },
      };
    },
    40,
  );
});
