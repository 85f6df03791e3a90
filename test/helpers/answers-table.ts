/**
 * DESIGN.md's answers table as a reusable suite: a provider test file
 * describes how to build its notifications and gets every row checked over
 * real HTTP on Express 5 and Express 4.
 */
import { MemoryDedupStore, type AnyWebhookEvent, type DedupStore, type WebhookError, type WebhookMiddleware } from '../../lib';
import { deferred, EXPRESS_VERSIONS, sleep } from './express-versions';
import { listen, post, type Running } from './server';

export interface Sendable {
  headers: Record<string, string>;
  body: string | Buffer;
}

export interface AnswersTableCase {
  provider: string;
  /** The middleware with the test secret and these options merged in. */
  create(options: Record<string, unknown>): WebhookMiddleware;
  /** A fresh, correctly signed notification (a new id on every call). */
  notification(): Sendable;
  /** A correctly signed notification whose body is about `bytes` long. */
  large(bytes: number): Sendable;
  /** Ways to get the signature wrong, each with the error code expected. */
  forgeries: Array<[name: string, forge: (valid: Sendable) => Sendable, code: string]>;
  /** Bodies that must be refused with 400. */
  malformed: Array<[name: string, contentType: string, body: string]>;
  /** Content types the provider never sends. */
  unsupportedTypes: string[];
  successBody: string;
  failureBody: string;
}

export function answersTable(c: AnswersTableCase): void {
  describe.each(EXPRESS_VERSIONS)(`${c.provider}: answers table on $name`, (express) => {
    let server: Running | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    async function start(options: Record<string, unknown> = {}, setup?: (app: any) => void) {
      const events: AnyWebhookEvent[] = [];
      const errors: WebhookError[] = [];
      const app = express.create();
      setup?.(app);
      app.post(
        '/notify',
        c.create({
          onEvent: async (event: AnyWebhookEvent) => {
            events.push(event);
          },
          onError: (error: WebhookError) => errors.push(error),
          ...options,
        }),
      );
      server = await listen(app);
      return { events, errors, url: `${server.url}/notify` };
    }

    const send = (url: string, n: Sendable) => post(url, n.body, n.headers);

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
      expect(await send(url, n)).toMatchObject({ status: 503, body: c.failureBody });
      expect(errors.map((e) => e.code)).toEqual(['IN_FLIGHT']);
      gate.resolve();
      expect((await first).status).toBe(200);
      expect(calls).toBe(1);
    });

    test('handler rejects: 500 failure ack, claim released, the retry runs and is acked', async () => {
      let attempt = 0;
      const { errors, url } = await start({
        onEvent: async () => {
          attempt++;
          if (attempt === 1) throw new Error('db down');
        },
      });
      const n = c.notification();
      expect(await send(url, n)).toMatchObject({ status: 500, body: c.failureBody });
      expect(errors.map((e) => e.code)).toEqual(['HANDLER_FAILED']);
      expect(await send(url, n)).toMatchObject({ status: 200, body: c.successBody });
      expect(attempt).toBe(2);
    });

    test('handler times out: 500 failure ack; once it finished, the retry is acked without a rerun', async () => {
      const finish = deferred();
      let calls = 0;
      const { errors, url } = await start({
        handlerTimeoutMs: 50,
        onEvent: async () => {
          calls++;
          await finish.promise;
        },
      });
      const n = c.notification();
      expect(await send(url, n)).toMatchObject({ status: 500, body: c.failureBody });
      expect(errors.map((e) => e.code)).toEqual(['HANDLER_TIMEOUT']);
      finish.resolve();
      await sleep(20);
      expect(await send(url, n)).toMatchObject({ status: 200, body: c.successBody });
      expect(calls).toBe(1);
    });

    test.each(c.forgeries)('signature %s: 401 failure ack, handler not called, nothing stored', async (_name, forge, code) => {
      const claims: string[] = [];
      const memory = new MemoryDedupStore();
      const store: DedupStore = {
        claim: (key, ttl, token) => {
          claims.push(key);
          return memory.claim(key, ttl, token);
        },
        complete: (key, ttl, token) => memory.complete(key, ttl, token),
        release: (key, token) => memory.release(key, token),
      };
      const { events, errors, url } = await start({ store });
      expect(await send(url, forge(c.notification()))).toMatchObject({ status: 401, body: c.failureBody });
      expect(events).toHaveLength(0);
      expect(claims).toHaveLength(0);
      expect(errors.map((e) => e.code)).toEqual([code]);
    });

    test('sender IP not allowed: 403 failure ack', async () => {
      const { events, errors, url } = await start({ allowIps: ['192.0.2.0/24'] });
      expect(await send(url, c.notification())).toMatchObject({ status: 403, body: c.failureBody });
      expect(events).toHaveLength(0);
      expect(errors.map((e) => e.code)).toEqual(['IP_NOT_ALLOWED']);
    });

    test.each(c.malformed)('%s: 400 failure ack, handler not called', async (_name, type, body) => {
      const { events, errors, url } = await start();
      expect(await post(url, body, { 'content-type': type })).toMatchObject({ status: 400, body: c.failureBody });
      expect(events).toHaveLength(0);
      expect(errors.map((e) => e.status)).toEqual([400]);
    });

    test('body over the limit: 413 failure ack', async () => {
      const { events, errors, url } = await start({ limit: 1024 });
      expect(await send(url, c.large(4096))).toMatchObject({ status: 413, body: c.failureBody });
      expect(events).toHaveLength(0);
      expect(errors.map((e) => e.code)).toEqual(['BODY_TOO_LARGE']);
    });

    test.each(c.unsupportedTypes)('content type %s: 415 failure ack', async (type) => {
      const { events, errors, url } = await start();
      const n = c.notification();
      expect(await send(url, { ...n, headers: { ...n.headers, 'content-type': type } })).toMatchObject({ status: 415, body: c.failureBody });
      expect(events).toHaveLength(0);
      expect(errors.map((e) => e.code)).toEqual(['UNSUPPORTED_MEDIA_TYPE']);
    });

    test('body consumed by a reader that left nothing to verify: 500 naming the fix, at once', async () => {
      const { events, errors, url } = await start({}, (app) =>
        app.use((req: any, _res: any, next: any) => {
          req.on('data', () => undefined);
          req.on('end', () => next());
        }),
      );
      const reply = await send(url, c.notification());
      expect(reply.status).toBe(500);
      expect(reply.body).toMatch(/Mount this middleware before/);
      expect(events).toHaveLength(0);
      expect(errors.map((e) => e.code)).toEqual(['CONFIGURATION']);
    });
  });
}
