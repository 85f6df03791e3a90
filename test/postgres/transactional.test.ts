/**
 * Transactional mode on a real PostgreSQL, on Express 5 and 4, Fastify, Koa
 * and the Fetch handler (ctx.db is the same whatever ctx.req is): the
 * handler's writes through ctx.db and the done marker commit together or not
 * at all, and duplicates across instances never run twice.
 */
import { Pool } from 'pg';
import { createPay247WebhookMiddleware, MemoryDedupStore, PostgresDedupStore, WebhookError, type Pay247Options } from '../../lib';
import { buildPay247Notification } from '../../lib/testing';
import { deferred, until } from '../helpers/async';
import { SERVER_ADAPTERS } from '../helpers/adapters';
import { describeWithPostgres, startPostgresServer, type PostgresServer } from '../helpers/postgres-server';
import { freePort } from '../helpers/redis-server';
import { post, type Running } from '../helpers/server';

const SECRET = 'tx-secret';

describeWithPostgres('transactional: true with PostgresDedupStore', () => {
  let server: PostgresServer;
  let admin: Pool;
  const stores: PostgresDedupStore[] = [];
  const running: Running[] = [];

  beforeAll(async () => {
    server = await startPostgresServer();
    admin = new Pool({ connectionString: server.url });
    admin.on('error', () => {});
    await admin.query('CREATE TABLE orders (order_no text NOT NULL, amount numeric NOT NULL)');
  });
  afterEach(async () => {
    for (const app of running.splice(0)) await app.close();
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await admin?.end();
    await server?.stop();
  });

  const rowsFor = async (orderNo: unknown) => (await admin.query('SELECT amount FROM orders WHERE order_no = $1', [orderNo])).rows;

  // node:http is the listener the Express middleware is.
  const servers = SERVER_ADAPTERS.filter((adapter) => adapter.name !== 'node:http');

  describe.each(servers)('on $name', (adapter) => {
    /** One instance of the merchant's app: its own store (its own pool) on the shared database. */
    async function instance(options: Partial<Pay247Options<unknown>> = {}, store = new PostgresDedupStore({ connectionString: server.url })) {
      stores.push(store);
      const errors: WebhookError[] = [];
      const providerOptions: Pay247Options<unknown> = {
        secret: SECRET,
        store,
        transactional: true,
        logger: false,
        onEvent: async (event, ctx) => {
          await ctx.db!.query('INSERT INTO orders (order_no, amount) VALUES ($1, $2)', [event.data.order_no, event.data.amount]);
        },
        onError: (error) => errors.push(error),
        ...options,
      };
      const http = await adapter.serve({ stem: 'Pay247', path: '/notify/pay247', options: providerOptions as unknown as Record<string, unknown> });
      running.push(http);
      return { url: `${http.url}/notify/pay247`, errors, store };
    }
    const send = (url: string, n: { headers: Record<string, string>; body: string }) => post(url, n.body, n.headers);

    test('the write and the done marker commit together: acked, the row is there, a retry is acked without running again', async () => {
      let calls = 0;
      const requests: unknown[] = [];
      const { url } = await instance({
        onEvent: async (event, ctx) => {
          calls++;
          requests.push(ctx.req);
          await ctx.db!.query('INSERT INTO orders (order_no, amount) VALUES ($1, $2)', [event.data.order_no, event.data.amount]);
        },
      });
      const n = buildPay247Notification({ secret: SECRET });
      expect(await send(url, n)).toMatchObject({ status: 200, body: 'SUCCESS' });
      expect(await send(url, n)).toMatchObject({ status: 200, body: 'SUCCESS' });
      expect(calls).toBe(1);
      expect(requests).toEqual([expect.anything()]);
      expect(await rowsFor(n.fields.order_no)).toEqual([{ amount: '100.0000' }]);
    });

    test('a handler that throws after writing: 500, its write rolled back; the retry runs and commits once', async () => {
      let attempt = 0;
      const { url, errors } = await instance({
        onEvent: async (event, ctx) => {
          attempt++;
          await ctx.db!.query('INSERT INTO orders (order_no, amount) VALUES ($1, $2)', [event.data.order_no, event.data.amount]);
          if (attempt === 1) throw new Error('card service down');
        },
      });
      const n = buildPay247Notification({ secret: SECRET });
      expect(await send(url, n)).toMatchObject({ status: 500, body: 'fail' });
      expect(errors.map((e) => e.code)).toEqual(['HANDLER_FAILED']);
      expect(await rowsFor(n.fields.order_no)).toEqual([]);
      expect(await send(url, n)).toMatchObject({ status: 200, body: 'SUCCESS' });
      expect(attempt).toBe(2);
      expect(await rowsFor(n.fields.order_no)).toHaveLength(1);
    });

    test('a handler past handlerTimeoutMs: 500, ctx.signal aborted, rolled back at once; the retry runs while it still hangs (hardTimeoutMs does not apply); its later writes cannot commit', async () => {
      const release = deferred();
      const lateWrite = deferred<unknown>();
      let attempt = 0;
      let signal: AbortSignal | undefined;
      const { url } = await instance({
        handlerTimeoutMs: 150,
        hardTimeoutMs: 600_000,
        onEvent: async (event, ctx) => {
          attempt++;
          const insert = () => ctx.db!.query('INSERT INTO orders (order_no, amount) VALUES ($1, $2)', [event.data.order_no, event.data.amount]);
          await insert();
          if (attempt > 1) return;
          signal = ctx.signal;
          await release.promise;
          await insert().then(lateWrite.resolve, lateWrite.resolve);
        },
      });
      const n = buildPay247Notification({ secret: SECRET });
      expect(await send(url, n)).toMatchObject({ status: 500, body: 'fail' });
      expect(signal?.aborted).toBe(true);
      expect(await rowsFor(n.fields.order_no)).toEqual([]);
      // The retry, the first run still hanging: its lock went with its connection, so it runs (maybe after a 503 or two).
      await until(async () => (await send(url, n)).status === 200, 20);
      expect(attempt).toBe(2);
      release.resolve();
      expect(await lateWrite.promise).toBeInstanceOf(Error);
      expect(await rowsFor(n.fields.order_no)).toHaveLength(1);
    });

    test('concurrent duplicates on two instances: one runs, the others get 503 while it runs, then every retry is acked; one row', async () => {
      const gate = deferred();
      const started = deferred();
      let calls = 0;
      const onEvent: Pay247Options['onEvent'] = async (event, ctx) => {
        calls++;
        await ctx.db!.query('INSERT INTO orders (order_no, amount) VALUES ($1, $2)', [event.data.order_no, event.data.amount]);
        started.resolve();
        await gate.promise;
      };
      const a = await instance({ onEvent });
      const b = await instance({ onEvent });
      const n = buildPay247Notification({ secret: SECRET });
      const first = send(a.url, n);
      await started.promise;
      const during = await Promise.all(Array.from({ length: 10 }, (_, i) => send(i % 2 ? a.url : b.url, n)));
      expect(during.map((r) => r.status)).toEqual(Array(10).fill(503));
      expect([...a.errors, ...b.errors].every((e) => e.code === 'IN_FLIGHT')).toBe(true);
      gate.resolve();
      expect((await first).status).toBe(200);
      for (const url of [a.url, b.url]) expect(await send(url, n)).toMatchObject({ status: 200, body: 'SUCCESS' });
      expect(calls).toBe(1);
      expect(await rowsFor(n.fields.order_no)).toHaveLength(1);
    });

    test('the done row is the fence: a run that finds the key marked done at its end rolls back and is answered done', async () => {
      const key = (orderNo: unknown) => `pay247:${orderNo}:2`;
      const { url, store } = await instance({
        onEvent: async (event, ctx) => {
          await ctx.db!.query('INSERT INTO orders (order_no, amount) VALUES ($1, $2)', [event.data.order_no, event.data.amount]);
          // Another run's done marker, committed while this one ran (as when a snapshot missed it).
          await store.complete(key(event.data.order_no), 60_000, 'another-run');
        },
      });
      const n = buildPay247Notification({ secret: SECRET });
      expect(await send(url, n)).toMatchObject({ status: 200, body: 'SUCCESS' });
      expect(await rowsFor(n.fields.order_no)).toEqual([]);
    });

    test('the database down: 503 STORE_UNAVAILABLE within timeoutMs, so the provider retries', async () => {
      // A port nothing listens on.
      const store = new PostgresDedupStore({ connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/postgres`, timeoutMs: 300 });
      const { url, errors } = await instance({ onEvent: () => {} }, store);
      const reply = await send(url, buildPay247Notification({ secret: SECRET }));
      expect(reply.status).toBe(503);
      expect(errors.map((e) => e.code)).toEqual(['STORE_UNAVAILABLE']);
    });
  });

  describe('at the store', () => {
    let store: PostgresDedupStore;
    beforeAll(() => {
      store = new PostgresDedupStore({ connectionString: server.url });
      stores.push(store);
    });

    test('while a transactional run holds a key, a plain claim of it is in flight; after the commit it is done', async () => {
      const inside = deferred();
      const finish = deferred();
      const run = store.runExclusive('mixed:1', 60_000, async () => {
        inside.resolve();
        await finish.promise;
      });
      await inside.promise;
      expect(await store.claim('mixed:1', 10_000, 'plain')).toBe('in-flight');
      finish.resolve();
      expect(await run).toBe('ran');
      expect(await store.claim('mixed:1', 10_000, 'plain')).toBe('done');
    });

    test('a key a plain claim holds is in flight for a transactional run, and the work does not run', async () => {
      expect(await store.claim('mixed:2', 10_000, 'plain')).toBe('claimed');
      let ran = false;
      expect(await store.runExclusive('mixed:2', 60_000, async () => void (ran = true))).toBe('in-flight');
      expect(ran).toBe(false);
    });

    test('the work runs at the isolation level asked for (read committed by default)', async () => {
      const levelIn = async (target: PostgresDedupStore, key: string) => {
        let level: unknown;
        await target.runExclusive(key, 60_000, async (db) => {
          level = (await db.query('SHOW transaction_isolation')).rows[0].transaction_isolation;
        });
        return level;
      };
      const serializable = new PostgresDedupStore({ connectionString: server.url, isolationLevel: 'serializable' });
      stores.push(serializable);
      expect(await levelIn(store, 'iso:1')).toBe('read committed');
      expect(await levelIn(serializable, 'iso:2')).toBe('serializable');
    });

    test('a failing work: rejected with its own error, nothing committed, the key free again', async () => {
      const failure = new Error('nope');
      await expect(
        store.runExclusive('fail:1', 60_000, async (db) => {
          await db.query("INSERT INTO orders (order_no, amount) VALUES ('fail:1', 1)");
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await rowsFor('fail:1')).toEqual([]);
      // The failed run's connection is closed, not rolled back on: its lock goes when the server ends that session, a moment later.
      let next = await store.runExclusive('fail:1', 60_000, async () => {});
      for (let i = 0; next === 'in-flight' && i < 50; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        next = await store.runExclusive('fail:1', 60_000, async () => {});
      }
      expect(next).toBe('ran');
    });
  });

  describe('options', () => {
    test('transactional: true needs a store that can (or an inbox that can), and is a boolean', () => {
      const base = { secret: SECRET, onEvent: () => {} };
      expect(() => createPay247WebhookMiddleware({ ...base, transactional: true })).toThrow(/PostgresDedupStore/);
      expect(() => createPay247WebhookMiddleware({ ...base, transactional: true, store: new MemoryDedupStore() })).toThrow(/PostgresDedupStore/);
      const store = new PostgresDedupStore({ connectionString: server.url });
      stores.push(store);
      const inbox = { put: async () => 'stored' as const, register: () => {}, close: async () => {} };
      expect(() => createPay247WebhookMiddleware({ ...base, transactional: true, store, inbox })).toThrow(/with an inbox needs one that delivers in a transaction of its database \(a PostgresInbox\)/);
      expect(() => createPay247WebhookMiddleware({ ...base, transactional: 'yes' as never, store })).toThrow(/true or false/);
      expect(() => createPay247WebhookMiddleware({ ...base, transactional: false, store })).not.toThrow();
    });
  });
});
