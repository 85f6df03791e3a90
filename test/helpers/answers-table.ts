/**
 * The answers table as a reusable suite: a provider test file describes how
 * to build its notifications and gets every row checked over real HTTP on
 * every server the package supports (Express 5 and 4, node:http, the Fetch
 * API handler, Fastify, Koa): one table, the same answers everywhere.
 */
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { AnyWebhookEvent, WebhookError } from '../../lib';
import { NEXT_ROUTE, SERVER_ADAPTERS, type ProviderStem } from './adapters';
import { deferred, until } from './async';
import { post, type Running } from './server';
import { spyStore } from './spy-store';
import { recordingLogger } from './webhook-app';

export interface Sendable {
  headers: Record<string, string>;
  body: string | Buffer;
  /** Where to send it, given the URL the middleware is mounted at (e.g. with a token in the query); default: that URL. */
  target?: (url: string) => string;
}

export interface AnswersTableCase {
  provider: string;
  /** Which of the provider's notification shapes, where it has several (in the suite's name). */
  variant?: string;
  /** Where the middleware is mounted (what a provider that signs the URL signs); default '/notify'. */
  path?: string;
  /** Which provider's factories: create<stem>WebhookMiddleware, create<stem>WebhookHandler. */
  stem: ProviderStem;
  /** The provider's options: the test secret with these merged in. */
  options(options: Record<string, unknown>): Record<string, unknown>;
  /** A fresh, correctly signed notification (a new id on every call). */
  notification(): Sendable;
  /** A correctly signed notification whose body is about `bytes` long. */
  large(bytes: number): Sendable;
  /** Ways to get the signature wrong, each with the error code expected. */
  forgeries: Array<[name: string, forge: (valid: Sendable) => Sendable, code: string]>;
  /** Bodies that must be refused with 400, each with the error code expected. */
  malformed: Array<[name: string, contentType: string, body: string | Buffer, code: 'BODY_MALFORMED' | 'BODY_INVALID']>;
  /** Content types the provider never sends. */
  unsupportedTypes: string[];
  successBody: string;
  /** The answer to anything not done: one text, or one per status and error code. */
  failureBody: string | ((status: number, code: string) => string);
}

export function answersTable(c: AnswersTableCase): void {
  const path = c.path ?? '/notify';
  const failure = (status: number, code: string) => ({ status, body: typeof c.failureBody === 'string' ? c.failureBody : c.failureBody(status, code) });

  describe.each(SERVER_ADAPTERS)(`${c.provider}${c.variant ? ` (${c.variant})` : ''}: answers table on $name`, (adapter) => {
    let server: Running | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    async function start(options: Record<string, unknown> = {}, route: { consumeBodyFirst?: boolean } = {}) {
      const events: AnyWebhookEvent[] = [];
      const errors: WebhookError[] = [];
      const logger = recordingLogger();
      const store = spyStore();
      const providerOptions = c.options({
        store,
        logger,
        onEvent: async (event: AnyWebhookEvent) => {
          events.push(event);
        },
        onError: (error: WebhookError) => errors.push(error),
        ...options,
      });
      server = await adapter.serve({ stem: c.stem, options: providerOptions, path, ...route });
      return { events, errors, lines: logger.lines, store, url: `${server.url}${path}` };
    }

    const send = (url: string, n: Sendable) => post(n.target ? n.target(url) : url, n.body, n.headers);

    test('verified and handled: 200 with the success ack, handler called once', async () => {
      const { events, errors, url } = await start();
      const reply = await send(url, c.notification());
      expect(reply).toMatchObject({ status: 200, body: c.successBody });
      expect(reply.headers.get('content-length')).toBe(String(Buffer.byteLength(c.successBody)));
      expect(events).toHaveLength(1);
      expect(events[0].provider).toBe(c.provider);
      expect(errors).toEqual([]);
    });

    test('the same notification again, already done: 200 success ack, handler not called', async () => {
      const { events, url } = await start();
      const n = c.notification();
      expect((await send(url, n)).status).toBe(200);
      expect(await send(url, n)).toMatchObject({ status: 200, body: c.successBody });
      expect(events).toHaveLength(1);
    });

    test('the same notification while the first still runs: 503 failure ack, handler not called again', async () => {
      const gate = deferred();
      const started = deferred();
      let calls = 0;
      const { errors, url } = await start({
        onEvent: async () => {
          calls++;
          started.resolve();
          await gate.promise;
        },
      });
      const n = c.notification();
      const first = send(url, n);
      await started.promise;
      expect(await send(url, n)).toMatchObject(failure(503, 'IN_FLIGHT'));
      expect(errors.map((e) => e.code)).toEqual(['IN_FLIGHT']);
      gate.resolve();
      expect((await first).status).toBe(200);
      expect(calls).toBe(1);
    });

    test('handler rejects: 500 failure ack, logged at error, claim released, the retry runs and is acked', async () => {
      let attempt = 0;
      const { errors, lines, url } = await start({
        onEvent: async () => {
          attempt++;
          if (attempt === 1) throw new Error('db down');
        },
      });
      const n = c.notification();
      expect(await send(url, n)).toMatchObject(failure(500, 'HANDLER_FAILED'));
      expect(errors.map((e) => e.code)).toEqual(['HANDLER_FAILED']);
      expect(lines).toEqual([{ level: 'error', line: expect.stringMatching(/ HANDLER_FAILED status=500 event=.*: .*db down/) }]);
      expect(await send(url, n)).toMatchObject({ status: 200, body: c.successBody });
      expect(attempt).toBe(2);
    });

    test('handler times out: 500 failure ack; a retry during the late run is 503; once it finished, the retry is acked without a rerun', async () => {
      const finish = deferred();
      let calls = 0;
      const { errors, store, url } = await start({
        handlerTimeoutMs: 50,
        onEvent: async () => {
          calls++;
          await finish.promise;
        },
      });
      const n = c.notification();
      expect(await send(url, n)).toMatchObject(failure(500, 'HANDLER_TIMEOUT'));
      expect(errors.map((e) => e.code)).toEqual(['HANDLER_TIMEOUT']);
      expect(await send(url, n)).toMatchObject(failure(503, 'IN_FLIGHT'));
      const recorded = store.next('complete');
      finish.resolve();
      await recorded;
      expect(await send(url, n)).toMatchObject({ status: 200, body: c.successBody });
      expect(calls).toBe(1);
    });

    test.each(c.forgeries)('signature %s: 401 failure ack, handler not called, nothing stored', async (_name, forge, code) => {
      const { events, errors, store, url } = await start();
      expect(await send(url, forge(c.notification()))).toMatchObject(failure(401, code));
      expect(events).toHaveLength(0);
      expect(store.claims).toHaveLength(0);
      expect(errors.map((e) => e.code)).toEqual([code]);
    });

    test('sender IP not allowed: 403 failure ack', async () => {
      const { events, errors, url } = await start({ allowIps: ['192.0.2.0/24'] });
      expect(await send(url, c.notification())).toMatchObject(failure(403, 'IP_NOT_ALLOWED'));
      expect(events).toHaveLength(0);
      expect(errors.map((e) => e.code)).toEqual(['IP_NOT_ALLOWED']);
    });

    test.each(c.malformed)('%s: 400 failure ack, handler not called, nothing stored', async (_name, type, body, code) => {
      const { events, errors, store, url } = await start();
      const reply = await post(url, body, { 'content-type': type });
      expect(events).toHaveLength(0);
      expect(store.claims).toHaveLength(0);
      expect(errors.map((e) => [e.status, e.code])).toEqual([[400, code]]);
      expect(reply).toMatchObject(failure(400, code));
    });

    test('body over the limit: 413 failure ack', async () => {
      const { events, errors, url } = await start({ limit: 1024 });
      expect(await send(url, c.large(4096))).toMatchObject(failure(413, 'BODY_TOO_LARGE'));
      expect(events).toHaveLength(0);
      expect(errors.map((e) => e.code)).toEqual(['BODY_TOO_LARGE']);
    });

    test.each(c.unsupportedTypes)('content type %s: 415 failure ack', async (type) => {
      const { events, errors, url } = await start();
      const n = c.notification();
      expect(await send(url, { ...n, headers: { ...n.headers, 'content-type': type } })).toMatchObject(failure(415, 'UNSUPPORTED_MEDIA_TYPE'));
      expect(events).toHaveLength(0);
      expect(errors.map((e) => e.code)).toEqual(['UNSUPPORTED_MEDIA_TYPE']);
    });

    test('body consumed by a reader that left nothing to verify: 500 at once, the usual failure ack, the fix in the log', async () => {
      const { events, errors, lines, url } = await start({}, { consumeBodyFirst: true });
      const reply = await send(url, c.notification());
      expect(reply).toMatchObject(failure(500, 'CONFIGURATION'));
      expect(lines).toEqual([{ level: 'error', line: expect.stringMatching(/ CONFIGURATION status=500: .*Mount this middleware before/) }]);
      expect(events).toHaveLength(0);
      expect(errors.map((e) => e.code)).toEqual(['CONFIGURATION']);
    });

    test('a refusal is logged once, at warn, with the code and status', async () => {
      const { lines, url } = await start();
      const n = c.notification();
      await send(url, { ...n, headers: { ...n.headers, 'content-type': c.unsupportedTypes[0] } });
      expect(lines).toEqual([{ level: 'warn', line: expect.stringMatching(/ UNSUPPORTED_MEDIA_TYPE status=415: /) }]);
    });

    if (adapter.otherMethodsGoOn) {
      test('not a POST (GET, HEAD): handed on to the app\'s next route, not answered by the webhook', async () => {
        const { events, errors, lines, url } = await start();
        const reply = await fetch(url);
        expect(reply.status).toBe(404);
        expect(await reply.text()).toBe(NEXT_ROUTE);
        expect((await fetch(url, { method: 'HEAD' })).status).toBe(404);
        expect(events).toHaveLength(0);
        expect(errors).toEqual([]);
        expect(lines).toEqual([]);
      });
    } else {
      test('not a POST (GET, HEAD): 405 failure ack with Allow: POST, handler not called', async () => {
        const { events, errors, url } = await start();
        const reply = await fetch(url);
        expect(reply.status).toBe(405);
        expect(reply.headers.get('allow')).toBe('POST');
        expect(await reply.text()).toBe(failure(405, 'METHOD_NOT_ALLOWED').body);
        const head = await fetch(url, { method: 'HEAD' });
        expect([head.status, head.headers.get('allow')]).toEqual([405, 'POST']);
        expect(events).toHaveLength(0);
        expect(errors.map((e) => e.code)).toEqual(['METHOD_NOT_ALLOWED', 'METHOD_NOT_ALLOWED']);
      });
    }

    test('a gzip-compressed notification within the limit: inflated, verified, acked', async () => {
      const { events, url } = await start();
      const n = c.notification();
      const reply = await send(url, { ...n, headers: { ...n.headers, 'content-encoding': 'gzip' }, body: gzipSync(n.body) });
      expect(reply).toMatchObject({ status: 200, body: c.successBody });
      expect(events).toHaveLength(1);
    });

    test('a gzip body that only passes the limit once inflated: 413 failure ack', async () => {
      const n = c.large(64 * 1024);
      const packed = gzipSync(n.body);
      const limit = packed.length + 64;
      expect(Buffer.byteLength(n.body)).toBeGreaterThan(limit);
      const { events, errors, url } = await start({ limit });
      expect(await send(url, { ...n, headers: { ...n.headers, 'content-encoding': 'gzip' }, body: packed })).toMatchObject(failure(413, 'BODY_TOO_LARGE'));
      expect(events).toHaveLength(0);
      expect(errors.map((e) => e.code)).toEqual(['BODY_TOO_LARGE']);
    });

    test('a Content-Encoding the package does not inflate: 415 failure ack', async () => {
      const { events, errors, url } = await start();
      const n = c.notification();
      expect(await send(url, { ...n, headers: { ...n.headers, 'content-encoding': 'compress' } })).toMatchObject(failure(415, 'UNSUPPORTED_MEDIA_TYPE'));
      expect(events).toHaveLength(0);
      expect(errors.map((e) => e.code)).toEqual(['UNSUPPORTED_MEDIA_TYPE']);
    });

    test('an absurd Content-Length (1 GiB, nothing sent after the head): 413 failure ack at once, nothing read or waited for', async () => {
      const { events, errors, url } = await start({ readTimeoutMs: 60_000 });
      const n = c.notification();
      const target = new URL(n.target ? n.target(url) : url);
      const head = Object.entries(n.headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(target.port), '127.0.0.1');
        let received = '';
        socket.on('data', (chunk) => {
          received += chunk.toString();
          // The whole answer is in: headers and the failure ack.
          if (received.endsWith(failure(413, 'BODY_TOO_LARGE').body)) socket.destroy(), resolve(received);
        });
        socket.on('close', () => resolve(received));
        socket.on('error', reject);
        socket.write(`POST ${target.pathname}${target.search} HTTP/1.1\r\nHost: x\r\n${head}Content-Length: ${2 ** 30}\r\n\r\n`);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 413/);
      expect(answer).toMatch(/\r\nconnection: close\r\n/i);
      expect(events).toHaveLength(0);
      expect(errors.map((e) => e.code)).toEqual(['BODY_TOO_LARGE']);
    });

    test('a client gone mid-body: reported as a malformed body, handler not called, nothing stored; the server goes on', async () => {
      const { events, errors, store, url } = await start();
      const n = c.notification();
      const target = new URL(n.target ? n.target(url) : url);
      const body = Buffer.from(n.body);
      const head = Object.entries(n.headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
      const socket = connect(Number(target.port), '127.0.0.1');
      await new Promise<void>((resolve) => socket.on('connect', resolve));
      socket.write(`POST ${target.pathname}${target.search} HTTP/1.1\r\nHost: x\r\n${head}Content-Length: ${body.length}\r\n\r\n`);
      socket.write(body.subarray(0, body.length >> 1));
      await until(() => errors.length > 0 || socket.bytesWritten > 0);
      socket.destroy();
      await until(() => errors.length === 1);
      expect(errors.map((e) => e.code)).toEqual(['BODY_MALFORMED']);
      expect(events).toHaveLength(0);
      expect(store.claims).toHaveLength(0);
      expect(await send(url, n)).toMatchObject({ status: 200, body: c.successBody });
      expect(events).toHaveLength(1);
    });

    test('a body that stops arriving: 408 failure ack with Connection: close at the read timeout', async () => {
      const { events, errors, url } = await start({ readTimeoutMs: 150 });
      const n = c.notification();
      const target = new URL(n.target ? n.target(url) : url);
      const body = Buffer.from(n.body);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(target.port), '127.0.0.1');
        let received = '';
        socket.on('data', (chunk) => (received += chunk.toString()));
        socket.on('close', () => resolve(received));
        socket.on('error', reject);
        const head = Object.entries(n.headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
        // Half the body, then nothing: the server must answer, and close, on its own.
        socket.write(`POST ${target.pathname}${target.search} HTTP/1.1\r\nHost: x\r\n${head}Content-Length: ${body.length}\r\n\r\n`);
        socket.write(body.subarray(0, body.length >> 1));
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(answer).toMatch(/\r\nconnection: close\r\n/i);
      expect(answer.endsWith(failure(408, 'BODY_TIMEOUT').body)).toBe(true);
      expect(events).toHaveLength(0);
      expect(errors.map((e) => e.code)).toEqual(['BODY_TIMEOUT']);
    });
  });
}
