/**
 * The pipeline's answers, on Express 5 and Express 4, with Pay247 as the
 * provider (the pipeline is the same for all of them): every row of the
 * answers table through answersTable (test/helpers/answers-table.ts), then what
 * the pipeline does beyond one notification per row: concurrent duplicates,
 * what a failing handler leaves, timeout semantics, trust proxy, gzip, the body
 * another parser read, a slow body, 405, confirm, dedupKey, a failing store.
 */
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { createPay247WebhookMiddleware, MemoryDedupStore, WebhookError, type DedupStore, type Pay247Event, type Pay247Payout } from '../../lib';
import { buildPay247Notification } from '../../lib/testing';
import { answersTable } from '../helpers/answers-table';
import { deferred } from '../helpers/async';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { post } from '../helpers/server';
import { spyStore } from '../helpers/spy-store';
import { webhookApps, type StartOptions } from '../helpers/webhook-app';

const SECRET = 'test-secret-1';

answersTable({
  provider: 'pay247',
  stem: 'Pay247',
  options: (options) => ({ secret: SECRET, ...options }),
  notification: () => buildPay247Notification({ secret: SECRET }),
  large: (bytes) => buildPay247Notification({ secret: SECRET, fields: { remarks: 'x'.repeat(bytes) } }),
  forgeries: [
    ['wrong', (n) => ({ ...n, body: String(n.body).replace('100.0000', '900.0000') }), 'SIGNATURE_MISMATCH'],
    ['missing', (n) => ({ ...n, body: String(n.body).replace(/,"sign":"[0-9a-f]+"/, '') }), 'SIGNATURE_MISSING'],
    ['for another secret', () => buildPay247Notification({ secret: 'other-secret' }), 'SIGNATURE_MISMATCH'],
  ],
  malformed: [
    ['malformed JSON', 'application/json', '{"order_no": ', 'BODY_MALFORMED'],
    ['a JSON array', 'application/json', '[1,2]', 'BODY_INVALID'],
    ['a repeated JSON key', 'application/json', '{"status":3,"status":2}', 'BODY_MALFORMED'],
    ['a nested value', 'application/json', '{"order_no":{"a":1},"sign":"x"}', 'BODY_INVALID'],
    ['a reserved key', 'application/json', '{"__proto__":{"x":1}}', 'BODY_MALFORMED'],
    ['a repeated form key', 'application/x-www-form-urlencoded', 'status=3&status=2&sign=x', 'BODY_MALFORMED'],
    ['an empty body', 'application/json', '', 'BODY_MALFORMED'],
    ['invalid UTF-8', 'application/json', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), 'BODY_MALFORMED'],
  ],
  unsupportedTypes: ['text/plain', 'application/json; charset=iso-8859-1'],
  successBody: 'SUCCESS',
  failureBody: 'fail',
});

describe.each(EXPRESS_VERSIONS)('pipeline answers on $name', (express) => {
  const startApp = webhookApps();

  async function start(options: Partial<Parameters<typeof createPay247WebhookMiddleware>[0]> = {}, setup?: (app: any) => void, mount?: StartOptions['mount']) {
    return startApp<Pay247Event>((r) => createPay247WebhookMiddleware({ secret: SECRET, ...r.options, ...options }), { express, path: '/notify/pay247', setup, mount });
  }

  const send = (url: string, n: { headers: Record<string, string>; body: string }) => post(url, n.body, n.headers);

  test('verified and handled: a text/plain ack, the handler called with the typed event', async () => {
    const { events, errors, url } = await start();
    const n = buildPay247Notification({ secret: SECRET, fields: { status: 2 } });
    const reply = await send(url, n);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ provider: 'pay247', type: 'payout.succeeded', id: `${n.fields.order_no}:2` });
    expect(events[0].data.amount).toBe('100.0000');
    expect(events[0].receivedAt).toBeInstanceOf(Date);
    expect(errors).toEqual([]);
  });

  test('many concurrent duplicates: exactly one runs, the rest get 503 while it runs', async () => {
    const gate = deferred();
    const started = deferred();
    let calls = 0;
    const { url } = await start({
      onEvent: async () => {
        calls++;
        started.resolve();
        await gate.promise;
      },
    });
    const n = buildPay247Notification({ secret: SECRET });
    const first = send(url, n);
    await started.promise;
    const during = await Promise.all(Array.from({ length: 9 }, () => send(url, n)));
    gate.resolve();
    expect((await first).status).toBe(200);
    expect(during.map((r) => r.status)).toEqual(Array(9).fill(503));
    expect(calls).toBe(1);
  });

  test.each([
    ['throws', () => { throw new Error('db down'); }, 'onEvent threw or rejected: db down'],
    ['rejects', () => Promise.reject(new Error('db down')), 'onEvent threw or rejected: db down'],
    ['throws a non-Error', () => { throw 'just a string'; }, 'onEvent threw or rejected: just a string'],
  ])('handler %s: 500 fail (its error never in the body), reported as a WebhookError with its message, claim released so the retry runs and is acked', async (_name, failure, message) => {
    let attempt = 0;
    const { errors, url } = await start({
      onEvent: async () => {
        attempt++;
        if (attempt === 1) await failure();
      },
    });
    const n = buildPay247Notification({ secret: SECRET });
    expect(await send(url, n)).toMatchObject({ status: 500, body: 'fail' });
    expect(errors[0]).toBeInstanceOf(WebhookError);
    expect(errors[0].code).toBe('HANDLER_FAILED');
    expect(errors[0].message).toBe(message);
    expect(await send(url, n)).toMatchObject({ status: 200, body: 'SUCCESS' });
    expect(attempt).toBe(2);
  });

  test('handler timeout: 500 fail and the signal the handler got is aborted', async () => {
    const finish = deferred();
    let signal: AbortSignal | undefined;
    const { errors, url } = await start({
      handlerTimeoutMs: 100,
      onEvent: async (_event, ctx) => {
        signal = ctx.signal;
        await finish.promise;
      },
    });
    const n = buildPay247Notification({ secret: SECRET });
    expect(await send(url, n)).toMatchObject({ status: 500, body: 'fail' });
    expect(errors.map((e) => e.code)).toEqual(['HANDLER_TIMEOUT']);
    expect(signal?.aborted).toBe(true);
    finish.resolve();
  });

  test('handler timeout followed by a failure: the late failure releases the claim and the retry runs', async () => {
    const finish = deferred();
    let calls = 0;
    const store = spyStore();
    const { url } = await start({
      handlerTimeoutMs: 50,
      store,
      onEvent: async () => {
        calls++;
        if (calls === 1) {
          await finish.promise;
          throw new Error('gave up');
        }
      },
    });
    const n = buildPay247Notification({ secret: SECRET });
    expect((await send(url, n)).status).toBe(500);
    const released = store.next('release');
    finish.resolve();
    await released;
    expect((await send(url, n)).status).toBe(200);
    expect(calls).toBe(2);
  });

  test('allowIps: a mixed IPv4/IPv6 list without the sender: 403 fail; a CIDR with it: handled', async () => {
    const denied = await start({ allowIps: ['10.0.0.0/8', '2001:db8::/32'] });
    expect(await send(denied.url, buildPay247Notification({ secret: SECRET }))).toMatchObject({ status: 403, body: 'fail' });
    expect(denied.events).toHaveLength(0);
    expect(denied.errors.map((e) => e.code)).toEqual(['IP_NOT_ALLOWED']);
    const allowed = await start({ allowIps: ['127.0.0.0/8'] });
    expect((await send(allowed.url, buildPay247Notification({ secret: SECRET }))).status).toBe(200);
  });

  test("allowIps uses req.ip, so Express's trust proxy decides whether X-Forwarded-For counts", async () => {
    const trusting = await start({ allowIps: ['203.0.113.7'] }, (app) => app.set('trust proxy', 'loopback'));
    const n = buildPay247Notification({ secret: SECRET });
    expect((await post(trusting.url, n.body, { ...n.headers, 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
    const untrusting = await start({ allowIps: ['203.0.113.7'] });
    const m = buildPay247Notification({ secret: SECRET });
    expect((await post(untrusting.url, m.body, { ...m.headers, 'x-forwarded-for': '203.0.113.7' })).status).toBe(403);
  });

  test('a body that only grows over the limit after gzip inflation: 413 fail', async () => {
    const { events, errors, url } = await start({ limit: 1024 });
    const bomb = gzipSync(Buffer.from(`{"remarks":"${'a'.repeat(5_000_000)}"}`));
    expect(bomb.length).toBeLessThan(1024 * 10);
    expect(await post(url, bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' })).toMatchObject({ status: 413, body: 'fail' });
    expect(events).toHaveLength(0);
    expect(errors.map((e) => e.code)).toEqual(['BODY_TOO_LARGE']);
  });

  test('a gzip-compressed notification within the limit is accepted', async () => {
    const { events, url } = await start();
    const n = buildPay247Notification({ secret: SECRET });
    expect((await post(url, gzipSync(n.body), { ...n.headers, 'content-encoding': 'gzip' })).status).toBe(200);
    expect(events).toHaveLength(1);
  });

  test('no content type: 415 fail', async () => {
    const { events, errors, url } = await start();
    const n = buildPay247Notification({ secret: SECRET });
    // A Blob body, so fetch adds no Content-Type of its own.
    const reply = await fetch(url, { method: 'POST', body: new Blob([n.body]) });
    expect(reply.status).toBe(415);
    expect(await reply.text()).toBe('fail');
    expect(events).toHaveLength(0);
    expect(errors.map((e) => e.code)).toEqual(['UNSUPPORTED_MEDIA_TYPE']);
  });

  test('a global express.json() ran first: the parsed fields are verified (JSON)', async () => {
    const { events, url } = await start({}, (app) => app.use(express.json()));
    expect((await send(url, buildPay247Notification({ secret: SECRET }))).status).toBe(200);
    expect(events).toHaveLength(1);
  });

  test('a global express.urlencoded() ran first: the parsed fields are verified (form), forgeries still refused', async () => {
    const { events, url } = await start({}, (app) => app.use(express.urlencoded()));
    const n = buildPay247Notification({ secret: SECRET, format: 'form' });
    expect((await send(url, n)).status).toBe(200);
    expect((await send(url, { ...n, body: n.body.replace('100.0000', '999.0000') })).status).toBe(401);
    expect(events).toHaveLength(1);
    expect(events[0].data.status).toBe('2');
  });

  test('req.rawBody kept by an earlier parser is used as the body', async () => {
    const seen: string[] = [];
    const { events, url } = await start({}, (app) =>
      app.use(
        express.json({
          verify: (req: any, _res: any, buf: Buffer) => {
            req.rawBody = buf;
            seen.push('verify');
          },
        }),
      ),
    );
    // A repeated key is caught only from the raw text: proof the raw bytes were used.
    const n = buildPay247Notification({ secret: SECRET });
    const dup = n.body.replace('{', '{"remarks":"x",');
    expect((await post(url, dup, n.headers)).status).toBe(400);
    expect((await send(url, buildPay247Notification({ secret: SECRET }))).status).toBe(200);
    expect(seen).toHaveLength(2);
    expect(events).toHaveLength(1);
  });

  test('a body sent byte by byte is cut off by the read timeout: 408, handler never called', async () => {
    const { events, errors, url } = await start({ readTimeoutMs: 200 });
    const n = buildPay247Notification({ secret: SECRET });
    const { port } = new URL(url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      let received = '';
      let i = 0;
      const drip = setInterval(() => {
        if (i < n.body.length && !socket.destroyed) socket.write(n.body[i++]);
      }, 50);
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('close', () => {
        clearInterval(drip);
        resolve(received);
      });
      socket.on('error', reject);
      socket.write(`POST /notify/pay247 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(n.body)}\r\n\r\n`);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer.endsWith('fail')).toBe(true);
    expect(events).toHaveLength(0);
    expect(errors.map((e) => e.code)).toEqual(['BODY_TIMEOUT']);
  });

  test('not a POST, mounted with app.use on the path: passed on to the app (its 404), nothing logged (405 without next: mount.test.ts)', async () => {
    const app = await start({}, undefined, (app, middleware) => {
      app.use('/notify/pay247', middleware);
      return '/notify/pay247';
    });
    const reply = await fetch(app.url);
    expect(reply.status).toBe(404);
    expect(app.errors).toEqual([]);
    expect(app.lines).toEqual([]);
  });

  test('onError that throws does not change the answer', async () => {
    const { url } = await start({
      onError: () => {
        throw new Error('logger broke');
      },
    });
    expect((await send(url, buildPay247Notification({ secret: 'nope' }))).status).toBe(401);
    expect((await send(url, buildPay247Notification({ secret: SECRET }))).status).toBe(200);
  });

  test('confirm false or throwing: not acked, handler not called, and the retry runs once confirmed', async () => {
    let confirmAnswers = [false, 'throw', true];
    let calls = 0;
    const { errors, url } = await start({
      confirm: async () => {
        const next = confirmAnswers.shift();
        if (next === 'throw') throw new Error('provider API down');
        return next as boolean;
      },
      onEvent: () => {
        calls++;
      },
    });
    const n = buildPay247Notification({ secret: SECRET });
    expect((await send(url, n)).status).toBe(409);
    expect((await send(url, n)).status).toBe(502);
    expect(calls).toBe(0);
    expect((await send(url, n)).status).toBe(200);
    expect(calls).toBe(1);
    expect(errors.map((e) => e.code)).toEqual(['NOT_CONFIRMED', 'CONFIRM_FAILED']);
    confirmAnswers = [];
  });

  test('dedupKey overrides the id used for dedup', async () => {
    const { events, url } = await start({ dedupKey: (event) => String((event.data as Pay247Payout).out_order_no) });
    const a = buildPay247Notification({ secret: SECRET, fields: { out_order_no: 'same', status: 1 } });
    const b = buildPay247Notification({ secret: SECRET, fields: { out_order_no: 'same', status: 2 } });
    expect((await send(url, a)).status).toBe(200);
    expect((await send(url, b)).status).toBe(200);
    expect(events.map((e) => e.id)).toEqual(['same']);
  });

  test('a store that fails: 503, not acked, reported; recovers without a restart', async () => {
    let down = true;
    const memory = new MemoryDedupStore();
    const store: DedupStore = {
      claim: (key, ttl, token) => (down ? Promise.reject(new Error('ECONNREFUSED')) : memory.claim(key, ttl, token)),
      renew: (key, ttl, token) => memory.renew(key, ttl, token),
      complete: (key, ttl, token) => memory.complete(key, ttl, token),
      release: (key, token) => memory.release(key, token),
    };
    const { events, errors, url } = await start({ store });
    const n = buildPay247Notification({ secret: SECRET });
    expect(await send(url, n)).toMatchObject({ status: 503, body: 'fail' });
    expect(errors.map((e) => e.code)).toEqual(['STORE_UNAVAILABLE']);
    expect(events).toHaveLength(0);
    down = false;
    expect((await send(url, n)).status).toBe(200);
    expect(events).toHaveLength(1);
  });

  test('the signature in the test is computed independently of the library', () => {
    // Guards the helper the rest of this file relies on.
    const n = buildPay247Notification({ secret: SECRET });
    const f = n.fields as Record<string, string | number>;
    const canonical = Object.keys(f)
      .filter((k) => k !== 'sign' && f[k] !== '')
      .sort()
      .map((k) => `${k}=${f[k]}`)
      .join('&');
    expect(f.sign).toBe(createHash('md5').update(canonical + SECRET).digest('hex'));
  });
});
