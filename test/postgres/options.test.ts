/** What the Postgres classes accept, and how `pg` is loaded: no server needed. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresDedupStore, PostgresInbox, postgresSchemaSql, type PostgresPool } from '../../lib';

const unusedPool = { connect: () => Promise.reject(new Error('not used')), end: async () => {} } as PostgresPool;

describe('PostgresDedupStore and PostgresInbox options', () => {
  test.each([
    ['PostgresDedupStore', (options: object) => new PostgresDedupStore(options as never)],
    ['PostgresInbox', (options: object) => new PostgresInbox(options as never)],
  ])('%s rejects what it cannot use, with the option named', (_name, make) => {
    expect(() => make(undefined as never)).toThrow(/required/);
    expect(() => make({})).toThrow(/either connectionString or pool/);
    expect(() => make({ connectionString: 'postgres://x@127.0.0.1/x', pool: unusedPool })).toThrow(/either connectionString or pool/);
    expect(() => make({ connectionString: '' })).toThrow(/connectionString/);
    expect(() => make({ pool: {} })).toThrow(/pg Pool/);
    expect(() => make({ pool: unusedPool, timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => make({ pool: unusedPool, createTable: 'yes' })).toThrow(/createTable/);
    for (const bad of ['Orders', 'x; DROP TABLE y', 'a"b', '1abc', '', 'a'.repeat(49), 42]) {
      expect(() => make({ pool: unusedPool, table: bad })).toThrow(/table must be a PostgreSQL name/);
      expect(() => make({ pool: unusedPool, schema: bad })).toThrow(/schema must be a PostgreSQL name/);
    }
    expect(() => make({ pool: unusedPool, schema: 'shop_2', table: '_webhooks' })).not.toThrow();
  });

  test.each([
    ['PostgresDedupStore', (options: object) => new PostgresDedupStore(options as never)],
    ['PostgresInbox', (options: object) => new PostgresInbox(options as never)],
  ])('%s refuses a misspelt option instead of ignoring it', (_name, make) => {
    expect(() => make({ pool: unusedPool, timeout: 500 })).toThrow(/unknown option "timeout". Did you mean timeoutMs\?/);
    expect(() => make({ pool: unusedPool, tabel: 'x' })).toThrow(/unknown option "tabel". Did you mean table\?/);
  });

  test('isolationLevel is one of the three PostgreSQL has', () => {
    expect(() => new PostgresDedupStore({ pool: unusedPool, isolationLevel: 'read uncommitted' as never })).toThrow(/isolationLevel/);
    expect(() => new PostgresDedupStore({ pool: unusedPool, isolationLevel: 'serializable' })).not.toThrow();
  });

  test('postgresSchemaSql: both tables, under the names given, checked the same way', () => {
    const sql = postgresSchemaSql({ schema: 'shop', dedupTable: 'dedup', inboxTable: 'inbox' });
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS "shop"."dedup"');
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS "shop"."inbox"');
    expect(postgresSchemaSql()).toContain('"public"."epw_dedup"');
    expect(() => postgresSchemaSql({ inboxTable: 'in box' })).toThrow(/inboxTable/);
  });

  test('docs/postgres.md shows the migration exactly as postgresSchemaSql() makes it', () => {
    const docs = readFileSync(join(__dirname, '..', '..', 'docs', 'postgres.md'), 'utf8');
    const shown = /## Running the migration yourself[\s\S]*?```sql\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(shown).toBe(postgresSchemaSql());
  });
});

describe('loading pg', () => {
  test('importing the package, or a store on a pool of yours, does not load pg; a connectionString does', () => {
    const dist = join(__dirname, '..', '..', 'dist');
    const script = `
      const loaded = () => Object.keys(require.cache).some((file) => /[\\\\/]node_modules[\\\\/]pg[\\\\/]/.test(file));
      const { PostgresDedupStore, PostgresInbox } = require(${JSON.stringify(dist)});
      const seen = [loaded()];
      new PostgresDedupStore({ pool: { connect: async () => { throw new Error('x'); }, end: async () => {} } });
      seen.push(loaded());
      const store = new PostgresDedupStore({ connectionString: 'postgres://x@127.0.0.1:1/x' });
      seen.push(loaded());
      store.close().then(() => console.log(JSON.stringify(seen)));`;
    expect(JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }))).toEqual([false, false, true]);
  });

  test('pg not installed: the message says to install it', () => {
    jest.isolateModules(() => {
      jest.doMock('pg', () => {
        throw Object.assign(new Error("Cannot find module 'pg' from 'lib/postgres/load-pg.ts'"), { code: 'MODULE_NOT_FOUND' });
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { PostgresDedupStore: Isolated } = require('../../lib') as typeof import('../../lib');
      expect(() => new Isolated({ connectionString: 'postgres://x@127.0.0.1/x' })).toThrow(/npm install pg/);
      expect(() => new Isolated({ pool: unusedPool })).not.toThrow();
    });
  });
});
