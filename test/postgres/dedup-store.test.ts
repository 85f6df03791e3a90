import { Pool } from 'pg';
import { PostgresDedupStore } from '../../lib';
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
});
