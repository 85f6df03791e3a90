/**
 * The middleware with `inbox`, over real HTTP, on Express 5 and 4, with each
 * backend: ack after the durable write, delivery with retries, dead letters,
 * exactly-once effect, and what happens when the inbox cannot write.
 */
import { toNodeListener } from '../../lib/node';
import { createPay247WebhookMiddleware, WebhookError, type InboxOptions, type InboxReport, type Pay247Event, type ProviderSpec } from '../../lib';
import { buildPay247Notification } from '../../lib/testing';
import { deferred, sleep, until } from '../helpers/async';
import { EXPRESS_VERSIONS, type ExpressVersion } from '../helpers/express-versions';
import { describeWithRedis } from '../helpers/redis-server';
import { listen, post, type Running } from '../helpers/server';
import { recordingLogger } from '../helpers/webhook-app';
import { redisBackend, sqliteBackend, type AnyInbox, type Backend } from './backends';

const SECRET = 'inbox-secret';

function describeInboxMode(backend: Backend): void {
  describe.each(EXPRESS_VERSIONS)(`${backend.name} on $name`, (express: ExpressVersion) => {
    const servers: Running[] = [];
    afterEach(async () => {
      await Promise.all(servers.splice(0).map((server) => server.close()));
      await backend.closeAll();
    });

    interface Started {
      url: string;
      inbox: AnyInbox;
      events: Pay247Event[];
      errors: Array<{ error: WebhookError; req: unknown }>;
      reports: InboxReport[];
    }

    async function start(
      open: (options?: InboxOptions) => AnyInbox,
      options: Partial<Parameters<typeof createPay247WebhookMiddleware>[0]> = {},
      inboxOptions: InboxOptions = {},
    ): Promise<Started> {
      const started = { events: [], errors: [], reports: [] } as unknown as Started;
      started.inbox = open({ ...inboxOptions, onInboxEvent: (report) => started.reports.push(report) });
      const app = express.create();
      app.post(
        '/notify/pay247',
        createPay247WebhookMiddleware({
          secret: SECRET,
          inbox: started.inbox,
          onEvent: async (event) => {
            started.events.push(event);
          },
          onError: (error, req) => started.errors.push({ error, req }),
          ...options,
        }),
      );
      const server = await listen(app);
      servers.push(server);
      started.url = `${server.url}/notify/pay247`;
      return started;
    }

    const send = (url: string, n: { headers: Record<string, string>; body: string }) => post(url, n.body, n.headers);
    const reportsOf = (s: Started, type: InboxReport['type']) => s.reports.filter((r) => r.type === type);

    test('acked at once, before the handler ran; the handler then gets the event, receivedAt a Date, no request', async () => {
      const gate = deferred();
      let ctxSeen: { req: unknown; signal: AbortSignal } | undefined;
      const s = await start(backend.fresh(), {
        onEvent: async (event, ctx) => {
          ctxSeen = ctx;
          await gate.promise;
          s.events.push(event);
        },
      });
      const n = buildPay247Notification({ secret: SECRET, fields: { status: 2 } });
      expect(await send(s.url, n)).toMatchObject({ status: 200, body: 'SUCCESS' });
      expect(s.events).toHaveLength(0);
      expect((await s.inbox.get(`pay247:${n.fields.order_no}:2`))?.state).toBe('pending');
      gate.resolve();
      await until(() => reportsOf(s, 'delivered').length === 1);
      const [event] = s.events;
      expect(event).toMatchObject({ provider: 'pay247', type: 'payout.succeeded', id: `${n.fields.order_no}:2` });
      expect(event.receivedAt).toBeInstanceOf(Date);
      expect(event.data.amount).toBe('100.0000');
      expect(event.signedFields).toContain('amount');
      expect(ctxSeen?.req).toBeUndefined();
      expect(ctxSeen?.signal).toBeInstanceOf(AbortSignal);
      expect((await s.inbox.get(`pay247:${n.fields.order_no}:2`))?.state).toBe('done');
      expect(s.errors).toEqual([]);
    });

    test('a provider retry of a stored notification is acked and not stored twice, even by an app that forgot its dedup store', async () => {
      const open = backend.fresh();
      const s = await start(open);
      const n = buildPay247Notification({ secret: SECRET });
      expect((await send(s.url, n)).status).toBe(200);
      expect(await send(s.url, n)).toMatchObject({ status: 200, body: 'SUCCESS' });
      await until(() => reportsOf(s, 'delivered').length === 1);
      // A restarted instance: new (empty) memory dedup store, same inbox storage.
      const restarted = await start(open);
      expect(await send(restarted.url, n)).toMatchObject({ status: 200, body: 'SUCCESS' });
      expect(reportsOf(s, 'stored')).toHaveLength(1);
      expect(reportsOf(restarted, 'stored')).toHaveLength(0);
      expect(await s.inbox.list({ state: 'all' })).toHaveLength(1);
      expect(s.events.length + restarted.events.length).toBe(1);
    });

    test('the handler fails: retried by the inbox until it succeeds; each failure reaches onError without a request', async () => {
      let calls = 0;
      const s = await start(backend.fresh(), {
        onEvent: async (event) => {
          if (++calls < 3) throw new Error('database down');
          s.events.push(event);
        },
      });
      const n = buildPay247Notification({ secret: SECRET });
      expect((await send(s.url, n)).status).toBe(200);
      await until(() => s.events.length === 1);
      await until(() => reportsOf(s, 'delivered').length === 1);
      expect(calls).toBe(3);
      expect(s.errors.map(({ error, req }) => [error.code, error.provider, error.eventId, req])).toEqual([
        ['HANDLER_FAILED', 'pay247', `${n.fields.order_no}:2`, undefined],
        ['HANDLER_FAILED', 'pay247', `${n.fields.order_no}:2`, undefined],
      ]);
      // The handler's own message, where people look; not "the provider will retry": the inbox does.
      expect(s.errors[0].error.message).toBe('onEvent threw or rejected: database down');
      const retries = reportsOf(s, 'retry') as Extract<InboxReport, { type: 'retry' }>[];
      expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
      expect(retries[0].nextAttemptAt).toBeInstanceOf(Date);
      expect(reportsOf(s, 'delivered')).toMatchObject([{ attempt: 3 }]);
    });

    test('after the last attempt the notification is dead, kept, and delivered once replayed after the fix', async () => {
      let fixed = false;
      const middlewareLog = recordingLogger();
      const inboxLog = recordingLogger();
      const s = await start(
        backend.fresh(),
        {
          logger: middlewareLog,
          onEvent: async (event) => {
            if (!fixed) throw new Error('bug: ledger locked');
            s.events.push(event);
          },
        },
        { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 }, logger: inboxLog },
      );
      const n = buildPay247Notification({ secret: SECRET });
      const key = `pay247:${n.fields.order_no}:2`;
      expect((await send(s.url, n)).status).toBe(200);
      await until(() => reportsOf(s, 'dead').length === 1);
      expect(reportsOf(s, 'dead')).toMatchObject([{ key, attempt: 3, error: { code: 'HANDLER_FAILED' } }]);
      expect(reportsOf(s, 'retry')).toHaveLength(2);
      const dead = await s.inbox.get(key);
      // The handler's own message where people look; no "the provider will retry": the inbox retries, and has given up.
      expect(dead).toMatchObject({ state: 'dead', attempts: 3, lastError: 'HANDLER_FAILED: onEvent threw or rejected: bug: ledger locked' });
      expect(middlewareLog.lines).toEqual(
        Array.from({ length: 3 }, () => ({
          level: 'error',
          line: `express-payment-webhooks (pay247) HANDLER_FAILED via=inbox event=${n.fields.order_no}:2: onEvent threw or rejected: bug: ledger locked`,
        })),
      );
      expect(inboxLog.lines).toEqual([
        { level: 'error', line: expect.stringMatching(new RegExp(`^express-payment-webhooks \\(${backend.name}\\): ${key} moved to the dead letters after 3 attempt\\(s\\): HANDLER_FAILED: onEvent threw or rejected: bug: ledger locked .*inbox replay '${key}'`)) },
      ]);
      expect(dead!.event.data).toMatchObject({ amount: '100.0000' });
      expect((await s.inbox.list()).map((e) => e.key)).toEqual([key]);
      // The provider retrying now changes nothing: already acked.
      expect((await send(s.url, n)).status).toBe(200);
      fixed = true;
      expect(await s.inbox.replay([key])).toEqual([key]);
      await until(() => s.events.length === 1);
      await until(async () => (await s.inbox.get(key))?.state === 'done');
    });

    test('the durable write fails: 503, onError INBOX_UNAVAILABLE, the claim released so the provider retry is stored and acked', async () => {
      const s = await start(backend.fresh());
      const realPut = s.inbox.put.bind(s.inbox);
      s.inbox.put = () => Promise.reject(new Error('disk full'));
      const n = buildPay247Notification({ secret: SECRET });
      expect(await send(s.url, n)).toMatchObject({ status: 503, body: 'fail' });
      expect(s.errors.map(({ error }) => [error.code, error.status, error.eventId])).toEqual([['INBOX_UNAVAILABLE', 503, `${n.fields.order_no}:2`]]);
      expect(s.errors[0].req).toBeDefined();
      expect(s.errors[0].error.message).not.toContain('disk full');
      s.inbox.put = realPut;
      expect(await send(s.url, n)).toMatchObject({ status: 200, body: 'SUCCESS' });
      await until(() => s.events.length === 1);
    });

    test('handlerTimeoutMs: ctx.signal aborts in inbox deliveries too, the attempt fails as HANDLER_TIMEOUT and is retried', async () => {
      let calls = 0;
      const signals: AbortSignal[] = [];
      const s = await start(backend.fresh(), {
        handlerTimeoutMs: 200,
        onEvent: async (event, ctx) => {
          signals.push(ctx.signal);
          if (++calls === 1) {
            await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
            throw new Error('gave up');
          }
          s.events.push(event);
        },
      });
      expect((await send(s.url, buildPay247Notification({ secret: SECRET }))).status).toBe(200);
      await until(() => s.events.length === 1);
      expect(signals[0].aborted).toBe(true);
      expect(signals[1].aborted).toBe(false);
      expect(s.errors.map(({ error }) => error.code)).toEqual(['HANDLER_TIMEOUT']);
    });

    test('two instances on one inbox: every notification is run exactly once, never by both at once', async () => {
      const open = backend.fresh();
      const runs = new Map<string, number>();
      let running = 0;
      let overlap = false;
      const inFlight = new Set<string>();
      const onEvent = async (event: Pay247Event) => {
        if (inFlight.has(event.id)) overlap = true;
        inFlight.add(event.id);
        running++;
        await sleep(2);
        runs.set(event.id, (runs.get(event.id) ?? 0) + 1);
        inFlight.delete(event.id);
        running--;
      };
      const one = await start(open, { onEvent });
      const two = await start(open, { onEvent });
      const notes = Array.from({ length: 20 }, () => buildPay247Notification({ secret: SECRET }));
      // Each notification reaches one instance, its provider retry the other.
      for (const [i, n] of notes.entries()) expect((await send(i % 2 ? one.url : two.url, n)).status).toBe(200);
      for (const [i, n] of notes.entries()) expect((await send(i % 2 ? two.url : one.url, n)).status).toBe(200);
      await until(() => runs.size === 20 && running === 0);
      expect([...runs.values()].every((count) => count === 1)).toBe(true);
      expect(overlap).toBe(false);
      expect(reportsOf(one, 'delivered').length + reportsOf(two, 'delivered').length).toBe(20);
    });

    test('one inbox serves several providers, each delivery routed to its own middleware; a provider twice is refused', async () => {
      const s = await start(backend.fresh());
      const other: unknown[] = [];
      const spec: ProviderSpec<any> = {
        provider: 'otherpay',
        mediaTypes: { 'application/json': 'json' },
        needsRawBody: false,
        authenticate: () => [],
        toEvent: (body) => ({ id: String(body.fields.id), type: 'paid', data: body.fields }),
        success: { contentType: 'text/plain', body: 'ok' },
        failure: () => ({ contentType: 'text/plain', body: 'no' }),
      };
      const server = await listen(toNodeListener(spec, { inbox: s.inbox, onEvent: async (event: unknown) => void other.push(event) }));
      servers.push(server);
      expect(await post(server.url, '{"id":"o1"}', { 'content-type': 'application/json' })).toMatchObject({ status: 200, body: 'ok' });
      expect((await send(s.url, buildPay247Notification({ secret: SECRET }))).status).toBe(200);
      await until(() => other.length === 1 && s.events.length === 1);
      expect(other[0]).toMatchObject({ provider: 'otherpay', id: 'o1' });
      expect(s.events[0].provider).toBe('pay247');
      expect(() => createPay247WebhookMiddleware({ secret: SECRET, inbox: s.inbox, onEvent: () => undefined })).toThrow(
        /already delivers pay247 notifications/,
      );
    });

    test('close() waits for a running delivery to be recorded, then puts are refused with 503', async () => {
      const gate = deferred();
      const started = deferred();
      const s = await start(backend.fresh(), {
        onEvent: async () => {
          started.resolve();
          await gate.promise;
        },
      });
      const n = buildPay247Notification({ secret: SECRET });
      expect((await send(s.url, n)).status).toBe(200);
      await started.promise;
      let closed = false;
      const closing = s.inbox.close().then(() => (closed = true));
      await sleep(20);
      expect(closed).toBe(false);
      gate.resolve();
      await closing;
      expect(reportsOf(s, 'delivered')).toHaveLength(1);
      const m = buildPay247Notification({ secret: SECRET });
      expect((await send(s.url, m)).status).toBe(503);
      expect(s.errors.map(({ error }) => error.code)).toEqual(['INBOX_UNAVAILABLE']);
    });
  });
}

describe('inbox mode', () => {
  const sqlite = sqliteBackend();
  afterAll(() => sqlite.dispose());
  describeInboxMode(sqlite);
});

describeWithRedis('inbox mode with Redis', () => {
  const redis = redisBackend();
  beforeAll(() => redis.start());
  afterAll(() => redis.server()?.stop());
  describeInboxMode(redis);

  test('Redis down: 503 INBOX_UNAVAILABLE and the provider retries; back up: stored and delivered', async () => {
    const express = EXPRESS_VERSIONS[0];
    const errors: string[] = [];
    const events: Pay247Event[] = [];
    const inbox = redis.fresh()();
    const app = express.create();
    app.post('/n', createPay247WebhookMiddleware({ secret: SECRET, inbox, onEvent: (event) => void events.push(event), onError: (error) => void errors.push(error.code) }));
    const server = await listen(app);
    try {
      await redis.server().stop(true);
      const n = buildPay247Notification({ secret: SECRET });
      expect(await post(`${server.url}/n`, n.body, n.headers)).toMatchObject({ status: 503, body: 'fail' });
      expect(errors).toContain('INBOX_UNAVAILABLE');
      await redis.server().restart();
      await until(async () => (await post(`${server.url}/n`, n.body, n.headers)).status === 200, 50);
      await until(() => events.length === 1);
    } finally {
      await server.close();
      await redis.closeAll();
    }
  });
});
