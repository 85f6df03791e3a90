/**
 * PostgresInbox behind the middleware, over real HTTP, and the CLI's
 * --postgres source (the built binary: npm test builds first).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import express from 'express';
import { createPay247WebhookMiddleware, PostgresInbox, type InboxReport, type Pay247Event, type RetryOptions } from '../../lib';
import { buildPay247Notification } from '../../lib/testing';
import { until } from '../helpers/async';
import { describeWithPostgres, startPostgresServer, type PostgresServer } from '../helpers/postgres-server';
import { freePort } from '../helpers/redis-server';
import { listen, post, type Running } from '../helpers/server';

const SECRET = 'pg-inbox-secret';
const BIN = join(__dirname, '..', '..', 'dist', 'cli', 'index.js');

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describeWithPostgres('PostgresInbox', () => {
  let server: PostgresServer;
  const inboxes: PostgresInbox[] = [];
  const servers: Running[] = [];
  let tables = 0;

  beforeAll(async () => {
    server = await startPostgresServer();
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await Promise.all(inboxes.splice(0).map((inbox) => inbox.close()));
  });
  afterAll(() => server?.stop());

  /** An app instance: its own PostgresInbox (own pool) on `table`, and the middleware on it. */
  async function instance(table: string, onEvent: (event: Pay247Event) => Promise<void>, retry: RetryOptions = { baseDelayMs: 5, maxDelayMs: 20 }) {
    const reports: InboxReport[] = [];
    const inbox = new PostgresInbox({ connectionString: server.url, table, pollIntervalMs: 10, retry, onInboxEvent: (r) => reports.push(r) });
    inboxes.push(inbox);
    const app = express();
    app.post('/n', createPay247WebhookMiddleware({ secret: SECRET, inbox, onEvent }));
    const http = await listen(app);
    servers.push(http);
    return { url: `${http.url}/n`, inbox, reports };
  }

  test('acked once stored; delivered exactly once though two instances poll the same table and the provider sends it to both', async () => {
    const table = `inbox_${tables++}`;
    const handled: string[] = [];
    const onEvent = async (event: Pay247Event) => void handled.push(event.id);
    const a = await instance(table, onEvent);
    const b = await instance(table, onEvent);
    const sent = Array.from({ length: 10 }, () => buildPay247Notification({ secret: SECRET }));
    for (const n of sent) {
      const replies = await Promise.all([post(a.url, n.body, n.headers), post(b.url, n.body, n.headers)]);
      expect(replies.map((r) => r.status)).toEqual([200, 200]);
    }
    await until(async () => (await a.inbox.list({ state: 'done', limit: 100 })).length === 10, 20);
    expect(handled.sort()).toEqual(sent.map((n) => `${n.fields.order_no}:2`).sort());
  });

  test('a failing handler: retried with backoff until it succeeds, the attempts counted', async () => {
    let attempts = 0;
    const s = await instance(`inbox_${tables++}`, async () => {
      if (++attempts < 3) throw new Error('not yet');
    });
    const n = buildPay247Notification({ secret: SECRET });
    expect((await post(s.url, n.body, n.headers)).status).toBe(200);
    const key = `pay247:${n.fields.order_no}:2`;
    await until(async () => (await s.inbox.get(key))?.state === 'done', 20);
    expect(await s.inbox.get(key)).toMatchObject({ state: 'done', attempts: 3 });
    expect(s.reports.filter((r) => r.type === 'retry')).toHaveLength(2);
  });

  describe('the CLI with --postgres', () => {
    test('list, show, replay a dead letter (a running app delivers it), purge', async () => {
      const table = `inbox_${tables++}`;
      let failing = true;
      const s = await instance(
        table,
        async () => {
          if (failing) throw new Error('merchant bug');
        },
        { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 1 },
      );
      const n = buildPay247Notification({ secret: SECRET });
      const key = `pay247:${n.fields.order_no}:2`;
      await post(s.url, n.body, n.headers);
      await until(async () => (await s.inbox.get(key))?.state === 'dead', 20);
      const args = ['--postgres', server.url, '--table', table];

      const listed = await cli('inbox', 'list', ...args, '--json');
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout.trim())).toMatchObject({ key, state: 'dead', attempts: 1 });
      const shown = await cli('inbox', 'show', key, ...args);
      expect(JSON.parse(shown.stdout)).toMatchObject({ key, state: 'dead', event: { id: `${n.fields.order_no}:2`, data: { amount: '100.0000' } } });

      failing = false;
      expect(await cli('inbox', 'replay', '--dead', ...args)).toMatchObject({ code: 0, stdout: `replayed ${key}\n` });
      await until(async () => (await s.inbox.get(key))?.state === 'done', 20);
      expect(await cli('inbox', 'purge', ...args)).toMatchObject({ code: 0, stdout: 'purged 1 done entry\n' });
      expect(await s.inbox.list({ state: 'all' })).toEqual([]);
    });

    test('schema.table names another schema', async () => {
      const inbox = new PostgresInbox({ connectionString: server.url, schema: 'public', table: 'inbox_schema' });
      inboxes.push(inbox);
      await inbox.list();
      expect(await cli('inbox', 'list', '--postgres', server.url, '--table', 'public.inbox_schema', '--json')).toMatchObject({ code: 0, stdout: '' });
    });

    test('a table that does not exist: exit 1 and it is not created', async () => {
      const run = await cli('inbox', 'list', '--postgres', server.url, '--table', 'no_such_inbox');
      expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining('no inbox table public.no_such_inbox') });
      expect((await cli('inbox', 'list', '--postgres', server.url, '--table', 'no_such_inbox')).code).toBe(1);
    });

    test('an unreachable server: exit 1 soon, not a hang', async () => {
      const run = await cli('inbox', 'list', '--postgres', `postgres://postgres@127.0.0.1:${await freePort()}/postgres`);
      expect(run.code).toBe(1);
    });

    test.each([
      ['--postgres with --db', ['--postgres', 'postgres://x@127.0.0.1/x', '--db', 'x.db']],
      ['--postgres with --redis', ['--postgres', 'postgres://x@127.0.0.1/x', '--redis', 'redis://127.0.0.1:1']],
      ['--table without --postgres', ['--db', 'x.db', '--table', 'inbox']],
      ['--prefix with --postgres', ['--postgres', 'postgres://x@127.0.0.1/x', '--prefix', 'p']],
    ])('bad usage (%s): exit code 2 and a message', async (_name, args) => {
      const run = await cli('inbox', 'list', ...args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/error: /);
    });

    test('a table name that is not a plain name: exit 1, never run as SQL', async () => {
      const run = await cli('inbox', 'list', '--postgres', server.url, '--table', 'x"; DROP TABLE y; --');
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/table must be a PostgreSQL name/);
    });
  });
});
