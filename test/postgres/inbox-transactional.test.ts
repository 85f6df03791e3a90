/**
 * transactional: true with a PostgresInbox: each delivery runs in a
 * transaction that also marks the inbox entry done, so what the handler
 * writes through ctx.db and "delivered" commit together or not at all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { Pool } from 'pg';
import { createPay247WebhookMiddleware, PostgresInbox, SqliteInbox, type InboxReport, type Pay247Event, type WebhookError } from '../../lib';
import type { HandlerContext } from '../../lib/core/event';
import { buildPay247Notification } from '../../lib/testing';
import { deferred, until } from '../helpers/async';
import { describeWithPostgres, startPostgresServer, type PostgresServer } from '../helpers/postgres-server';
import { listen, post, type Running } from '../helpers/server';

const SECRET = 'pg-tx-inbox-secret';

describeWithPostgres('transactional: true with a PostgresInbox', () => {
  let server: PostgresServer;
  let db: Pool;
  const inboxes: PostgresInbox[] = [];
  const servers: Running[] = [];
  let tables = 0;

  beforeAll(async () => {
    server = await startPostgresServer();
    db = new Pool({ connectionString: server.url });
    db.on('error', () => {});
    // No unique constraint: a second effect of one notification shows as a second row.
    await db.query('CREATE TABLE orders (order_no text NOT NULL)');
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await Promise.all(inboxes.splice(0).map((inbox) => inbox.close()));
  });
  afterAll(async () => {
    await db?.end();
    await server?.stop();
  });

  type Handler = (event: Pay247Event, ctx: HandlerContext<unknown>) => Promise<void>;

  async function instance(onEvent: Handler, more: { handlerTimeoutMs?: number; leaseMs?: number } = {}) {
    const table = `tx_inbox_${tables++}`;
    const reports: InboxReport[] = [];
    const errors: WebhookError[] = [];
    const inbox = new PostgresInbox({
      connectionString: server.url,
      table,
      pollIntervalMs: 10,
      leaseMs: more.leaseMs,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
      onInboxEvent: (r) => reports.push(r),
      logger: false,
    });
    inboxes.push(inbox);
    const app = express();
    app.post(
      '/n',
      createPay247WebhookMiddleware({ secret: SECRET, inbox, transactional: true, handlerTimeoutMs: more.handlerTimeoutMs, onEvent, onError: (e) => void errors.push(e), logger: false }),
    );
    const http = await listen(app);
    servers.push(http);
    return { url: `${http.url}/n`, inbox, table, reports, errors };
  }

  async function send(url: string) {
    const n = buildPay247Notification({ secret: SECRET });
    expect((await post(url, n.body, n.headers)).status).toBe(200);
    return { orderNo: String(n.fields.order_no), key: `pay247:${n.fields.order_no}:2` };
  }

  const rowsFor = async (orderNo: string) => (await db.query('SELECT order_no FROM orders WHERE order_no = $1', [orderNo])).rowCount;
  const insert = (event: Pay247Event, ctx: HandlerContext<unknown>) => ctx.db!.query('INSERT INTO orders (order_no) VALUES ($1)', [event.data.order_no]);

  test('the handler gets ctx.db; its write and the entry becoming done commit together', async () => {
    let inTransaction: unknown;
    const s = await instance(async (event, ctx) => {
      await insert(event, ctx);
      // The entry's done marker is not visible outside before the commit, nor the write.
      inTransaction = { outside: await rowsFor(String(event.data.order_no)), state: (await s.inbox.get(`pay247:${event.data.order_no}:2`))?.state };
    });
    const { orderNo, key } = await send(s.url);
    await until(async () => (await s.inbox.get(key))?.state === 'done');
    expect(inTransaction).toEqual({ outside: 0, state: 'pending' });
    expect(await rowsFor(orderNo)).toBe(1);
    expect(s.reports.filter((r) => r.type === 'delivered')).toEqual([{ type: 'delivered', provider: 'pay247', key, attempt: 1 }]);
  });

  test('a throw after the write rolls it back and the attempt is a failure; the retry commits it once', async () => {
    let attempts = 0;
    const s = await instance(async (event, ctx) => {
      await insert(event, ctx);
      if (++attempts < 3) throw new Error('not yet');
    });
    const { orderNo, key } = await send(s.url);
    await until(async () => (await s.inbox.get(key))?.state === 'done');
    expect(await s.inbox.get(key)).toMatchObject({ state: 'done', attempts: 3 });
    expect(await rowsFor(orderNo)).toBe(1);
    expect(s.reports.filter((r) => r.type === 'retry')).toHaveLength(2);
    expect(s.errors.map((e) => e.code)).toEqual(['HANDLER_FAILED', 'HANDLER_FAILED']);
  });

  test('at handlerTimeoutMs the transaction is rolled back at once (not at hardTimeoutMs), the attempt failed; the retry commits once', async () => {
    const hung = deferred();
    let attempts = 0;
    const s = await instance(
      async (event, ctx) => {
        await insert(event, ctx);
        if (++attempts === 1) await hung.promise;
      },
      { handlerTimeoutMs: 100 },
    );
    const { orderNo, key } = await send(s.url);
    await until(async () => (await s.inbox.get(key))?.state === 'done');
    // Done while the first run still hangs: its lease and slot were let go at handlerTimeoutMs.
    expect(await s.inbox.get(key)).toMatchObject({ state: 'done', attempts: 2 });
    expect(s.errors.map((e) => e.code)).toEqual(['HANDLER_TIMEOUT']);
    hung.resolve();
    expect(await rowsFor(orderNo)).toBe(1);
  });

  test('a run whose lease another worker took over commits nothing, and says so', async () => {
    const taken = deferred();
    const s = await instance(async (event, ctx) => {
      await insert(event, ctx);
      // Another worker's lease now holds the entry.
      await db.query(`UPDATE ${s.table} SET lease = 'someone-else' WHERE key = $1`, [`pay247:${event.data.order_no}:2`]);
      taken.resolve();
    });
    const { orderNo, key } = await send(s.url);
    await taken.promise;
    await until(() => s.errors.length > 0);
    expect(s.errors[0]).toMatchObject({ code: 'INBOX_UNAVAILABLE', message: expect.stringMatching(/rolled back/) });
    expect(await rowsFor(orderNo)).toBe(0);
    expect(await s.inbox.get(key)).toMatchObject({ state: 'pending' });
    expect(s.reports.filter((r) => r.type === 'delivered')).toEqual([]);
  });

  test('transactional: true with an inbox that cannot deliver in a transaction is refused at startup', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'epw-tx-'));
    const sqlite = new SqliteInbox({ path: join(dir, 'inbox.db') });
    try {
      expect(() => createPay247WebhookMiddleware({ secret: SECRET, inbox: sqlite, transactional: true, onEvent: async () => {} })).toThrow(/a PostgresInbox/);
    } finally {
      await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
