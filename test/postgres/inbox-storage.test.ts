import { Client } from 'pg';
import { PostgresInboxStorage } from '../../lib/inbox/postgres-inbox';
import { describeWithPostgres, startPostgresServer, type PostgresServer } from '../helpers/postgres-server';
import { describeInboxStorageConformance } from '../inbox/storage-conformance';
import { describeStorageModel } from '../inbox/storage-model';

describeWithPostgres('PostgresInbox storage', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgresServer();
  });
  afterAll(() => server?.stop());
  let n = 0;

  describeInboxStorageConformance('PostgresInbox', async () => {
    // Two handles with their own pools, as two app instances have; a fresh table per test.
    const table = `inbox_${n++}`;
    const [a, b] = [0, 1].map(() => new PostgresInboxStorage('test', { connectionString: server.url, table }));
    return { a: a!, b: b!, close: async () => void (await Promise.all([a!.close(), b!.close()])) };
  });

  describeStorageModel(
    'PostgresInbox',
    async () => {
      const table = `model_${n++}`;
      const handles: [PostgresInboxStorage, PostgresInboxStorage] = [
        new PostgresInboxStorage('test', { connectionString: server.url, table }),
        new PostgresInboxStorage('test', { connectionString: server.url, table }),
      ];
      // A lease here is a time: the model's clock passing it is the expiry.
      return { handles, expire: async () => undefined, close: async () => void (await Promise.all(handles.map((h) => h.close()))) };
    },
    25,
  );

  test('a table made before the attempt history upgrades in place; the history is written in the statement of its state change', async () => {
    const admin = new Client({ connectionString: server.url });
    await admin.connect();
    const now = Date.now();
    // The table as the releases before the history made it, with an entry mid-attempt.
    await admin.query(`CREATE TABLE inbox_old (key text PRIMARY KEY, provider text NOT NULL, event text NOT NULL,
      state text NOT NULL CHECK (state IN ('pending', 'done', 'dead')), attempts integer NOT NULL DEFAULT 0, stored_at bigint NOT NULL,
      next_attempt_at bigint, lease text, lease_until bigint, finished_at bigint, last_error text, replayed_at bigint)`);
    await admin.query(`INSERT INTO inbox_old VALUES ('pay247:1', 'pay247', '{}', 'pending', 1, $1, $1, 'old-lease', $2, NULL, NULL, NULL)`, [now, now + 60_000]);
    const storage = new PostgresInboxStorage('test', { connectionString: server.url, table: 'inbox_old' });
    try {
      const leased = { key: 'pay247:1', provider: 'pay247', event: '{}', attempt: 1, budgetFrom: now, lease: 'old-lease' };
      expect(await storage.retry(leased, now, 'HANDLER_FAILED: x', now)).toBe(true);
      expect(await storage.history('pay247:1')).toEqual([]);
      // A failing history write stands for a crash between two writes: the lease must not happen without its attempt.
      await admin.query(`CREATE FUNCTION sabotage() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'history write failed'; END $$`);
      await admin.query('CREATE TRIGGER sabotage BEFORE INSERT OR UPDATE ON inbox_old_attempts FOR EACH ROW EXECUTE FUNCTION sabotage()');
      await expect(storage.lease(['pay247'], 1, now, 10_000)).rejects.toThrow('history write failed');
      expect((await admin.query(`SELECT attempts, lease FROM inbox_old`)).rows).toEqual([{ attempts: 1, lease: null }]);
      await admin.query('DROP TRIGGER sabotage ON inbox_old_attempts');
      const [again] = await storage.lease(['pay247'], 1, now, 10_000);
      await admin.query('CREATE TRIGGER sabotage BEFORE UPDATE ON inbox_old_attempts FOR EACH ROW EXECUTE FUNCTION sabotage()');
      await expect(storage.complete(again, now + 1)).rejects.toThrow('history write failed');
      expect((await admin.query(`SELECT state FROM inbox_old`)).rows).toEqual([{ state: 'pending' }]);
      await admin.query('DROP TRIGGER sabotage ON inbox_old_attempts');
      expect(await storage.complete(again, now + 1)).toBe(true);
      expect(await storage.history('pay247:1')).toEqual([
        { type: 'attempt', attempt: 2, outcome: 'delivered', startedAt: new Date(now), finishedAt: new Date(now + 1), error: undefined },
      ]);
    } finally {
      await admin.end();
      await storage.close();
    }
  });

  test('an entry another transaction has locked is skipped, not waited for (FOR UPDATE SKIP LOCKED)', async () => {
    const storage = new PostgresInboxStorage('test', { connectionString: server.url, table: 'inbox_locked' });
    const other = new Client({ connectionString: server.url });
    await other.connect();
    try {
      const now = Date.now();
      await storage.put('pay247:1', 'pay247', '{}', now - 1);
      await storage.put('pay247:2', 'pay247', '{}', now);
      // Another worker mid-lease: the row of pay247:1 is locked until that transaction ends.
      await other.query('BEGIN');
      await other.query("SELECT key FROM inbox_locked WHERE key = 'pay247:1' FOR UPDATE");
      const leased = await Promise.race([
        storage.lease(['pay247'], 10, now, 10_000),
        new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 3000)),
      ]);
      expect(leased === 'waited' ? leased : leased.map((entry) => entry.key)).toEqual(['pay247:2']);
    } finally {
      await other.query('ROLLBACK').catch(() => {});
      await other.end();
      await storage.close();
    }
  });
});
