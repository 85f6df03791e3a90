import { PostgresInboxStorage } from '../../lib/inbox/postgres-inbox';
import { describeWithPostgres, startPostgresServer, type PostgresServer } from '../helpers/postgres-server';
import { describeInboxStorageConformance } from '../inbox/storage-conformance';

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
});
