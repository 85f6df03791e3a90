import { Pool } from 'pg';
import { PostgresDedupStore, postgresSchemaSql } from '../../lib';
import { describeDedupStoreConformance } from '../dedup/conformance';
import { describeWithPostgres, startPostgresServer, type PostgresServer } from '../helpers/postgres-server';

describeWithPostgres('PostgresDedupStore', () => {
  let server: PostgresServer;
  let admin: Pool;
  const stores: PostgresDedupStore[] = [];
  const open = (options: ConstructorParameters<typeof PostgresDedupStore>[0]) => {
    const store = new PostgresDedupStore(options);
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    server = await startPostgresServer();
    admin = new Pool({ connectionString: server.url });
    // Idle connections are cut when the server stops at the end.
    admin.on('error', () => {});
  });

  afterAll(async () => {
    for (const store of stores) await store.close();
    await admin?.end();
    await server?.stop();
  });

  let urlStore: PostgresDedupStore | undefined;
  describeDedupStoreConformance('PostgresDedupStore ({ connectionString })', () => (urlStore ??= open({ connectionString: server.url })));

  let poolStore: PostgresDedupStore | undefined;
  describeDedupStoreConformance('PostgresDedupStore ({ pool }, own schema and table)', async () => {
    if (poolStore === undefined) {
      await admin.query('CREATE SCHEMA IF NOT EXISTS shop');
      poolStore = open({ pool: admin, schema: 'shop', table: 'webhook_dedup' });
    }
    return poolStore;
  });

  describe('on the server', () => {
    test('createTable: false with the migration run by the merchant: the store uses the table as it is', async () => {
      await admin.query(postgresSchemaSql({ dedupTable: 'migrated_dedup', inboxTable: 'migrated_inbox' }));
      const store = open({ pool: admin, table: 'migrated_dedup', createTable: false });
      expect(await store.claim('m:1', 10_000, 'a')).toBe('claimed');
      expect((await admin.query('SELECT key, done FROM migrated_dedup')).rows).toEqual([{ key: 'm:1', done: false }]);
    });

    test('createTable: false and no table: calls fail (the middleware answers 503), nothing is created', async () => {
      const store = open({ pool: admin, table: 'never_made', createTable: false });
      await expect(store.claim('m:1', 10_000, 'a')).rejects.toThrow(/never_made/);
      expect((await admin.query("SELECT to_regclass('never_made') AS t")).rows[0].t).toBeNull();
    });

    test('instances starting together on a database without the table: each creates it or finds it, none fails', async () => {
      const many = Array.from({ length: 6 }, () => open({ connectionString: server.url, table: 'raced_dedup' }));
      const states = await Promise.all(many.map((store, i) => store.claim(`race:${i}`, 10_000, 'a')));
      expect(states).toEqual(Array(6).fill('claimed'));
    });

    test('deleteExpired drops expired locks and done markers, and keeps live ones', async () => {
      const store = open({ pool: admin, table: 'swept_dedup' });
      await store.claim('live', 60_000, 'a');
      await store.claim('expired-lock', 1, 'a');
      await store.complete('expired-done', 1, 'a');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await store.deleteExpired()).toBe(2);
      expect((await admin.query('SELECT key FROM swept_dedup')).rows).toEqual([{ key: 'live' }]);
    });

    test('expiry is written in the database clock (its now() + TTL), not in an app instance clock', async () => {
      const store = open({ pool: admin, table: 'clock_dedup' });
      await store.claim('c:1', 60_000, 'a');
      const { rows } = await admin.query("SELECT expires_at - now() > interval '59 seconds' AS ahead FROM clock_dedup");
      expect(rows).toEqual([{ ahead: true }]);
    });
  });
});
