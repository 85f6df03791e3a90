import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteInboxStorage } from '../../lib/inbox/sqlite-inbox';

const dir = mkdtempSync(join(tmpdir(), 'epw-sqlite-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const event = JSON.stringify({ provider: 'pay247', id: '1', type: 't', data: {}, signedFields: [], receivedAt: new Date(0).toISOString() });

/**
 * A rejection's message. Not `rejects.toThrow`: better-sqlite3's native
 * module is loaded once per worker, so after another test file its errors
 * are of that file's realm, and not instances of this one's Error.
 */
const rejection = (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: { message?: unknown }) => String(error?.message));

/** The file as the releases before the attempt history made it. */
const OLD_SCHEMA = `
CREATE TABLE inbox (
  key TEXT PRIMARY KEY, provider TEXT NOT NULL, event TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'dead')), attempts INTEGER NOT NULL DEFAULT 0,
  stored_at INTEGER NOT NULL, next_attempt_at INTEGER, lease TEXT, lease_until INTEGER,
  finished_at INTEGER, last_error TEXT, replayed_at INTEGER
) WITHOUT ROWID;`;

describe('SqliteInbox attempt history', () => {
  test('a file made before the history upgrades in place: an attempt leased before it still records its outcome', async () => {
    const path = join(dir, `old-${n++}.db`);
    const old = new BetterSqlite3(path);
    old.exec(OLD_SCHEMA);
    const now = Date.now();
    old
      .prepare(`INSERT INTO inbox VALUES ('pay247:1', 'pay247', ?, 'pending', 1, ?, ?, 'old-lease', ?, NULL, NULL, NULL)`)
      .run(event, now, now, now + 60_000);
    old.close();
    const storage = new SqliteInboxStorage(path);
    try {
      expect(await storage.history('pay247:1')).toEqual([]);
      const leased = { key: 'pay247:1', provider: 'pay247', event, attempt: 1, budgetFrom: now, lease: 'old-lease' };
      expect(await storage.retry(leased, now, 'HANDLER_FAILED: x', now)).toBe(true);
      const [again] = await storage.lease(['pay247'], 1, now, 10_000);
      expect(await storage.complete(again, now + 1)).toBe(true);
      expect(await storage.history('pay247:1')).toEqual([
        { type: 'attempt', attempt: 2, outcome: 'delivered', startedAt: new Date(now), finishedAt: new Date(now + 1), error: undefined },
      ]);
    } finally {
      await storage.close();
    }
  });

  // A failing history write stands for a crash between the two writes: if they were not one transaction, the entry would move on without its record.
  describe('written in the transaction of the state change it records', () => {
    let path: string;
    let storage: SqliteInboxStorage;
    let saboteur: BetterSqlite3.Database;
    beforeEach(async () => {
      path = join(dir, `atomic-${n++}.db`);
      storage = new SqliteInboxStorage(path);
      saboteur = new BetterSqlite3(path);
      await storage.put('pay247:1', 'pay247', event, Date.now());
    });
    afterEach(async () => {
      saboteur.close();
      await storage.close();
    });
    const fail = (when: 'INSERT' | 'UPDATE' | 'DELETE') =>
      saboteur.exec(`CREATE TRIGGER sabotage BEFORE ${when} ON inbox_attempts BEGIN SELECT RAISE(ABORT, 'history write failed'); END`);
    const repair = () => saboteur.exec('DROP TRIGGER sabotage');
    const row = () => saboteur.prepare('SELECT state, attempts, lease FROM inbox WHERE key = ?').get('pay247:1');

    test('lease: no attempt started, the entry not leased', async () => {
      fail('INSERT');
      expect(await rejection(storage.lease(['pay247'], 1, Date.now(), 10_000))).toBe('history write failed');
      expect(row()).toEqual({ state: 'pending', attempts: 0, lease: null });
      repair();
      expect(await storage.lease(['pay247'], 1, Date.now(), 10_000)).toHaveLength(1);
    });

    test.each(['complete', 'retry', 'bury', 'completeLate'] as const)('%s: the outcome not recorded, the lease still holds', async (outcome) => {
      const [leased] = await storage.lease(['pay247'], 1, Date.now(), 10_000);
      fail('UPDATE');
      const record = () =>
        outcome === 'retry' ? storage.retry(leased, Date.now(), 'HANDLER_FAILED: x', Date.now())
        : outcome === 'bury' ? storage.bury(leased, Date.now(), 'HANDLER_FAILED: x')
        : storage[outcome](leased, Date.now());
      expect(await rejection(record())).toBe('history write failed');
      expect(row()).toMatchObject({ state: 'pending', attempts: 1, lease: leased.lease.split(' ')[0] });
      repair();
      expect(await record()).toBe(true);
    });

    test('replay and purge: nothing replayed or deleted without its history', async () => {
      const [leased] = await storage.lease(['pay247'], 1, Date.now(), 10_000);
      await storage.bury(leased, Date.now(), 'HANDLER_FAILED: x');
      fail('INSERT');
      expect(await rejection(storage.replay(['pay247:1'], Date.now()))).toBe('history write failed');
      expect(row()).toMatchObject({ state: 'dead' });
      repair();
      fail('DELETE');
      expect(await rejection(storage.purge({ state: 'dead' }))).toBe('history write failed');
      expect(row()).toMatchObject({ state: 'dead' });
      repair();
      expect(await storage.purge({ state: 'dead' })).toBe(1);
      expect(await storage.history('pay247:1')).toEqual([]);
    });
  });
});
