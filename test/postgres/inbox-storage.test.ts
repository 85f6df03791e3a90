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
