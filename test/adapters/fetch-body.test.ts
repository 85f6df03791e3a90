/**
 * The Fetch handler's body: pulled as a stream and cut off at the limit (a
 * body with no end is never buffered), under the read timeout, cancelled on
 * any failure; a body someone else read is a CONFIGURATION answer.
 */
import { gzipSync } from 'node:zlib';
import type { WebhookError } from '../../lib';
import { createPay247WebhookHandler } from '../../lib/fetch';
import { buildPay247Notification } from '../../lib/testing';
import { deferred } from '../helpers/async';
import { recordingLogger } from '../helpers/webhook-app';

const SECRET = 'fetch-secret';
const URL_ = 'https://shop.example/webhooks/pay247';

function handler(options: Record<string, unknown> = {}, adapter?: Parameters<typeof createPay247WebhookHandler>[1]) {
  const seen: unknown[] = [];
  const errors: WebhookError[] = [];
  const logger = recordingLogger();
  const handle = createPay247WebhookHandler({ secret: SECRET, logger, onEvent: (event) => void seen.push(event), onError: (e) => errors.push(e), ...options }, adapter);
  return { handle, seen, errors, lines: logger.lines };
}

/**
 * A body stream far past any limit here, counting what was pulled and whether
 * it was cancelled. It ends after `chunks` pulls, so that a reader that
 * ignores the limit finishes (and fails the test) instead of pulling forever.
 */
function endless(chunk: Uint8Array, chunks = 256) {
  const state = { pulled: 0, cancelled: deferred() };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulled++;
      controller.enqueue(chunk);
      if (state.pulled === chunks) controller.close();
    },
    cancel() {
      state.cancelled.resolve();
    },
  });
  return { stream, state };
}

type Body = RequestInit['body'];

const request = (body: Body, headers: Record<string, string>, init: RequestInit = {}) =>
  new Request(URL_, { method: 'POST', body, headers, duplex: 'half', ...init } as RequestInit);

test('a notification: verified, acked with the exact answer', async () => {
  const { handle, seen } = handler();
  const n = buildPay247Notification({ secret: SECRET });
  const response = await handle(request(n.body, n.headers));
  expect(response.status).toBe(200);
  expect(await response.text()).toBe('SUCCESS');
  expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  expect(seen).toHaveLength(1);
});

test('a body without end and without Content-Length: 413 after the limit, stream cancelled, not read on', async () => {
  const { handle, errors } = handler({ limit: 4096 });
  const { stream, state } = endless(new Uint8Array(1024).fill(0x20));
  const response = await handle(request(stream as unknown as Body, { 'content-type': 'application/json' }));
  expect(response.status).toBe(413);
  expect(errors.map((e) => e.code)).toEqual(['BODY_TOO_LARGE']);
  await state.cancelled.promise;
  // Node's stream adapter reads ahead a little (its highWaterMark), never the endless rest.
  expect(state.pulled).toBeLessThan(64);
});

test('an endless gzip bomb (gzip members one after another): 413 at the inflated limit, stream cancelled, not read on', async () => {
  const { handle, errors } = handler({ limit: 4096 });
  // About 1 kB each, 1 MB inflated; a gzip stream may hold any number of members.
  const { stream, state } = endless(gzipSync(Buffer.alloc(1 << 20, 0x20)), 100);
  const response = await handle(request(stream as unknown as Body, { 'content-type': 'application/json', 'content-encoding': 'gzip' }));
  expect(response.status).toBe(413);
  expect(errors.map((e) => e.code)).toEqual(['BODY_TOO_LARGE']);
  await state.cancelled.promise;
  expect(state.pulled).toBeLessThan(64);
});

test('a declared Content-Length over the limit: 413 before anything is read', async () => {
  const { handle, errors } = handler({ limit: 100 });
  const { stream, state } = endless(new Uint8Array(10));
  const response = await handle(request(stream as unknown as Body, { 'content-type': 'application/json', 'content-length': '5000' }));
  expect(response.status).toBe(413);
  expect(errors.map((e) => e.code)).toEqual(['BODY_TOO_LARGE']);
  await state.cancelled.promise;
});

test('a body that stops arriving: 408 with Connection: close at the read timeout, stream cancelled', async () => {
  const { handle, errors } = handler({ readTimeoutMs: 50 });
  const cancelled = deferred();
  const stalled = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"mch_id":'));
    },
    cancel() {
      cancelled.resolve();
    },
  });
  const response = await handle(request(stalled as unknown as Body, { 'content-type': 'application/json' }));
  expect(response.status).toBe(408);
  expect(response.headers.get('connection')).toBe('close');
  expect(errors.map((e) => e.code)).toEqual(['BODY_TIMEOUT']);
  await cancelled.promise;
});

test('a body stream that errors (client gone): 400, handler not called', async () => {
  const { handle, errors, seen } = handler();
  const broken = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(new Error('connection reset'));
    },
  });
  const response = await handle(request(broken as unknown as Body, { 'content-type': 'application/json' }));
  expect(response.status).toBe(400);
  expect(errors.map((e) => e.code)).toEqual(['BODY_MALFORMED']);
  expect(seen).toHaveLength(0);
});

test('a Content-Length that does not match the body: 400', async () => {
  const { handle, errors } = handler();
  const n = buildPay247Notification({ secret: SECRET });
  const stream = new Blob([n.body]).stream();
  const response = await handle(request(stream as unknown as Body, { ...n.headers, 'content-length': String(n.body.length + 10) }));
  expect(response.status).toBe(400);
  expect(errors.map((e) => e.code)).toEqual(['BODY_MALFORMED']);
});

test('the body was read before the handler (request.json()): a CONFIGURATION answer at once, not a hang, the fix in the log', async () => {
  const { handle, errors, lines } = handler();
  const n = buildPay247Notification({ secret: SECRET });
  const used = request(n.body, n.headers);
  await used.json();
  const response = await handle(used);
  expect(response.status).toBe(500);
  expect(await response.text()).toBe('fail');
  expect(errors.map((e) => e.code)).toEqual(['CONFIGURATION']);
  expect(lines).toEqual([{ level: 'error', line: expect.stringMatching(/ CONFIGURATION status=500: .*Mount this middleware before/) }]);
});

test('allowIps: the clientIp adapter option decides; without it every request is refused', async () => {
  const n = () => buildPay247Notification({ secret: SECRET });
  const bare = handler({ allowIps: ['203.0.113.0/24'] });
  expect((await bare.handle(request(n().body, n().headers))).status).toBe(403);
  const inside = handler({ allowIps: ['203.0.113.0/24'] }, { clientIp: () => '203.0.113.7' });
  const sent = n();
  expect((await inside.handle(request(sent.body, sent.headers))).status).toBe(200);
  const outside = handler({ allowIps: ['203.0.113.0/24'] }, { clientIp: () => '198.51.100.1' });
  expect((await outside.handle(request(sent.body, sent.headers))).status).toBe(403);
});

test('not a POST: 405 with Allow; a clientIp that is not a function is refused at startup', async () => {
  const { handle } = handler();
  const response = await handle(new Request(URL_));
  expect(response.status).toBe(405);
  expect(response.headers.get('allow')).toBe('POST');
  expect(() => createPay247WebhookHandler({ secret: SECRET, onEvent: () => undefined }, { clientIp: 'x' as never })).toThrow(/clientIp must be a function/);
});

test('a misspelt adapter option (clientIP) is refused at startup, naming the right one', () => {
  const create = (adapter: unknown) => createPay247WebhookHandler({ secret: SECRET, onEvent: () => undefined, logger: false }, adapter as never);
  expect(() => create({ clientIP: () => '127.0.0.1' })).toThrow('unknown option "clientIP". Did you mean clientIp?');
  expect(() => create(null)).toThrow(/adapter options must be an object/);
  expect(() => create({ clientIp: () => '127.0.0.1' })).not.toThrow();
});

test('the URL the provider signs is the path and query, as on the Node servers', async () => {
  const urls: unknown[] = [];
  const { handle } = handler({ onEvent: (_event: unknown, ctx: { req?: Request }) => void urls.push(new URL(ctx.req!.url).search) });
  const n = buildPay247Notification({ secret: SECRET });
  expect((await handle(new Request(`${URL_}?a=1`, { method: 'POST', body: n.body, headers: n.headers }))).status).toBe(200);
  expect(urls).toEqual(['?a=1']);
});
