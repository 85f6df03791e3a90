/**
 * OpenTelemetry traces and metrics of incoming notifications, recorded with
 * the real SDK (NodeTracerProvider with AsyncLocalStorage context, in-memory
 * span exporter, a MeterProvider read on demand), over real HTTP on every
 * server (Express 5 and 4, node:http, the Fetch handler, Fastify, Koa): one
 * span per notification with its steps as children, and the metric points of
 * every row of the answers table.
 */
import { connect } from 'node:net';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { createPay247WebhookMiddleware, MemoryDedupStore, WebhookError, type DedupStore, type Inbox } from '../../lib';
import { SERVER_ADAPTERS } from '../helpers/adapters';
import { buildPay247Notification } from '../../lib/testing';
import { deferred } from '../helpers/async';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { registerOtelSdk, type MetricPoint, type OtelSdk } from '../helpers/otel-sdk';
import { listen, post, type Running } from '../helpers/server';

const SECRET = 'otel-test-pay247-key';

let sdk: OtelSdk;
beforeAll(() => {
  sdk = registerOtelSdk();
});
afterAll(() => sdk.shutdown());

const notification = (status = 2) => buildPay247Notification({ secret: SECRET, fields: { status } });
const send = (url: string, n: { body: string | Buffer; headers: Record<string, string> } = notification()) => post(url, n.body, n.headers);

/** The spans of the one notification sent: its own, and its children by name. */
async function theNotification(): Promise<{ span: ReadableSpan; children: Map<string, ReadableSpan> }> {
  // The span ends right after the answer is written: wait for it rather than sleep.
  for (let i = 0; i < 100 && !sdk.spans().some((s) => s.name === 'webhook pay247'); i++) await new Promise((r) => setImmediate(r));
  const spans = sdk.spans();
  const roots = spans.filter((s) => s.name === 'webhook pay247');
  expect(roots).toHaveLength(1);
  const [span] = roots;
  const children = new Map(spans.filter((s) => s.parentSpanContext?.spanId === span.spanContext().spanId).map((s) => [s.name, s]));
  return { span, children };
}

describe.each(SERVER_ADAPTERS)('notification spans and metrics on $name', (adapter) => {
  let server: Running | undefined;
  beforeEach(() => sdk.reset());
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(options: Record<string, unknown> = {}) {
    server = await adapter.serve({ stem: 'Pay247', path: '/notify', options: { secret: SECRET, onEvent: async () => undefined, onError: () => undefined, logger: false, ...options } });
    return `${server.url}/notify`;
  }

  function point(points: MetricPoint[], name: string, attributes: Record<string, unknown>): number | undefined {
    return points.find((p) => p.name === name && Object.entries(attributes).every(([k, v]) => p.attributes[k] === v))?.value;
  }

  test('a route for many accounts: the span carries webhook.account, and no attribute holds a credential', async () => {
    const url = await start({ secret: undefined, resolveCredentials: async (account: string) => (account === 'MCH-7' ? { secret: SECRET } : undefined) });
    expect((await send(url, buildPay247Notification({ secret: SECRET, fields: { mch_id: 'MCH-7' } }))).status).toBe(200);
    const { span } = await theNotification();
    expect(span.attributes).toMatchObject({ 'webhook.account': 'MCH-7', 'webhook.outcome': 'handled' });
    expect(JSON.stringify(span.attributes)).not.toContain(SECRET);
  });

  test('handled: a server span with the event, dedup outcome and answer; verify, claim and onEvent as children; metric points', async () => {
    const url = await start();
    const n = notification();
    expect((await send(url, n)).status).toBe(200);
    const { span, children } = await theNotification();
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.attributes).toMatchObject({
      'webhook.provider': 'pay247',
      'webhook.event.type': 'payout.succeeded',
      'webhook.event.id': `${n.fields.order_no}:2`,
      'webhook.dedup.outcome': 'claimed',
      'webhook.outcome': 'handled',
      'http.request.method': 'POST',
      'http.response.status_code': 200,
    });
    expect(span.attributes['error.type']).toBeUndefined();
    expect([...children.keys()].sort()).toEqual(['dedup claim', 'onEvent', 'verify']);
    const points = await sdk.points();
    expect(point(points, 'webhook.notifications', { 'webhook.provider': 'pay247', 'webhook.outcome': 'handled' })).toBe(1);
    expect(point(points, 'webhook.handler.duration', { 'webhook.provider': 'pay247', 'webhook.outcome': 'ok' })).toBe(1);
    expect(point(points, 'webhook.store.duration', { 'webhook.store.operation': 'dedup claim', 'webhook.outcome': 'ok' })).toBe(1);
    expect(points.find((p) => p.name === 'webhook.handler.duration')?.unit).toBe('s');
    expect(point(points, 'webhook.refusals', {})).toBeUndefined();
  });

  test("the handler's own spans are children of the onEvent span", async () => {
    const tracer = trace.getTracer('merchant');
    const url = await start({ onEvent: async () => tracer.startActiveSpan('UPDATE orders', (span) => span.end()) });
    await send(url);
    const { children } = await theNotification();
    const merchant = sdk.spans().find((s) => s.name === 'UPDATE orders');
    expect(merchant?.parentSpanContext?.spanId).toBe(children.get('onEvent')?.spanContext().spanId);
  });

  test('a duplicate: dedup outcome done, outcome duplicate, no onEvent span, the duplicates counter', async () => {
    const url = await start();
    const n = notification();
    await send(url, n);
    await sdk.reset();
    expect((await send(url, n)).status).toBe(200);
    const { span, children } = await theNotification();
    expect(span.attributes).toMatchObject({ 'webhook.dedup.outcome': 'done', 'webhook.outcome': 'duplicate', 'http.response.status_code': 200 });
    expect(children.has('onEvent')).toBe(false);
    const points = await sdk.points();
    expect(point(points, 'webhook.duplicates', { 'webhook.provider': 'pay247' })).toBe(1);
    expect(point(points, 'webhook.notifications', { 'webhook.outcome': 'duplicate' })).toBe(1);
  });

  test('in flight: 503, dedup outcome in-flight, outcome in_flight, error.type IN_FLIGHT', async () => {
    const release = deferred<void>();
    const url = await start({ onEvent: () => release.promise });
    const n = notification();
    const first = send(url, n);
    // The first holds the claim: wait until its onEvent span started (the claim was taken before it).
    for (let i = 0; i < 200 && (await sdk.points()).length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    const second = await send(url, n);
    expect(second.status).toBe(503);
    release.resolve();
    await first;
    const spans = sdk.spans().filter((s) => s.name === 'webhook pay247');
    const inFlight = spans.find((s) => s.attributes['webhook.outcome'] === 'in_flight');
    expect(inFlight?.attributes).toMatchObject({ 'webhook.dedup.outcome': 'in-flight', 'error.type': 'IN_FLIGHT', 'http.response.status_code': 503 });
    expect(inFlight?.status.code).toBe(SpanStatusCode.ERROR);
  });

  const failures: Array<[row: string, options: () => Record<string, unknown>, status: number, code: string, outcome: string]> = [
    ['handler threw', () => ({ onEvent: async () => { throw new Error('db down'); } }), 500, 'HANDLER_FAILED', 'failed'],
    // Settles when aborted at the deadline, not 200 ms later: a late success recorded during a later test (another server's) would count there.
    ['handler timed out', () => ({ handlerTimeoutMs: 20, onEvent: (_event: unknown, ctx: { signal: AbortSignal }) => new Promise((r) => ctx.signal.addEventListener('abort', r)) }), 500, 'HANDLER_TIMEOUT', 'failed'],
    ['confirm said no', () => ({ confirm: async () => false }), 409, 'NOT_CONFIRMED', 'failed'],
    ['confirm threw', () => ({ confirm: async () => { throw new Error('provider API down'); } }), 502, 'CONFIRM_FAILED', 'failed'],
    ['sender IP not allowed', () => ({ allowIps: ['203.0.113.7'] }), 403, 'IP_NOT_ALLOWED', 'refused'],
    ['dedup store unreachable', () => ({ store: brokenStore() }), 503, 'STORE_UNAVAILABLE', 'unavailable'],
    ['inbox write failed', () => ({ inbox: failingInbox() }), 503, 'INBOX_UNAVAILABLE', 'unavailable'],
    ['app misconfigured (dedupKey throws)', () => ({ dedupKey: () => { throw new Error('bug'); } }), 500, 'CONFIGURATION', 'refused'],
  ];

  test.each(failures)('%s: the answer, error.type and outcome on the span; refusals counted by code', async (_row, options, status, code, outcome) => {
    const url = await start(options());
    expect((await send(url)).status).toBe(status);
    const { span } = await theNotification();
    expect(span.attributes).toMatchObject({ 'error.type': code, 'webhook.outcome': outcome, 'http.response.status_code': status });
    // A refused request is the middleware working; only server-side faults mark the span as an error.
    expect(span.status.code).toBe(status >= 500 ? SpanStatusCode.ERROR : SpanStatusCode.UNSET);
    const points = await sdk.points();
    expect(point(points, 'webhook.refusals', { 'webhook.provider': 'pay247', 'error.type': code })).toBe(1);
    expect(point(points, 'webhook.notifications', { 'webhook.outcome': outcome })).toBe(1);
  });

  const refusals: Array<[row: string, request: () => { body: string; headers: Record<string, string> }, status: number, code: string]> = [
    ['signature wrong', () => ({ ...withSign(notification(), '0'.repeat(32)) }), 401, 'SIGNATURE_MISMATCH'],
    ['body malformed', () => ({ body: '{"mch_id":', headers: { 'content-type': 'application/json' } }), 400, 'BODY_MALFORMED'],
    ['body over the limit', () => ({ body: JSON.stringify({ pad: 'x'.repeat(70_000) }), headers: { 'content-type': 'application/json' } }), 413, 'BODY_TOO_LARGE'],
    ['content type never sent', () => ({ body: '<x/>', headers: { 'content-type': 'application/xml' } }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ];

  test.each(refusals)('%s: refused before any claim, counted by code, no verify-onward children', async (_row, request, status, code) => {
    const url = await start();
    const { body, headers } = request();
    expect((await post(url, body, headers)).status).toBe(status);
    const { span, children } = await theNotification();
    expect(span.attributes).toMatchObject({ 'error.type': code, 'webhook.outcome': 'refused', 'http.response.status_code': status });
    expect(span.attributes['webhook.event.id']).toBeUndefined();
    expect(children.has('dedup claim')).toBe(false);
    expect(point(await sdk.points(), 'webhook.refusals', { 'error.type': code })).toBe(1);
  });

  test('body slower than readTimeoutMs: 408, BODY_TIMEOUT on the span and counted', async () => {
    const url = new URL(await start({ readTimeoutMs: 50 }));
    const socket = connect(Number(url.port), url.hostname);
    socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"mch_id":`);
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk) => (text += chunk));
      socket.on('close', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    const { span } = await theNotification();
    expect(span.attributes).toMatchObject({ 'error.type': 'BODY_TIMEOUT', 'webhook.outcome': 'refused', 'http.response.status_code': 408 });
    expect(point(await sdk.points(), 'webhook.refusals', { 'error.type': 'BODY_TIMEOUT' })).toBe(1);
  });

  test('inbox mode: an inbox put child, outcome stored', async () => {
    const puts: string[] = [];
    const inbox: Inbox = { register: () => undefined, put: async (key) => (puts.push(key), 'stored'), close: async () => undefined };
    const url = await start({ inbox });
    expect((await send(url)).status).toBe(200);
    const { span, children } = await theNotification();
    expect(span.attributes['webhook.outcome']).toBe('stored');
    expect(children.has('inbox put')).toBe(true);
    expect(children.has('onEvent')).toBe(false);
    expect(point(await sdk.points(), 'webhook.store.duration', { 'webhook.store.operation': 'inbox put' })).toBe(1);
  });

  test("the default log line carries the notification's trace id, to join a line and its trace", async () => {
    const lines: string[] = [];
    const logger = { info: (l: string) => lines.push(l), warn: (l: string) => lines.push(l), error: (l: string) => lines.push(l) };
    const url = await start({ logger, onEvent: async () => { throw new Error('db down'); } });
    await send(url, withSign(notification(), '0'.repeat(32)));
    await send(url);
    const spans = sdk.spans().filter((s) => s.name === 'webhook pay247');
    expect(spans).toHaveLength(2);
    expect(lines).toHaveLength(2);
    for (const [i, span] of spans.entries()) expect(lines[i]).toContain(` trace=${span.spanContext().traceId}`);
  });

  test('no secret, signature, body or handler error text in any span attribute or status', async () => {
    const url = await start({ onEvent: async () => { throw new Error('customer 6228480000000000 not found'); } });
    const n = notification();
    await send(url, n);
    await send(url, withSign(notification(), 'f'.repeat(32)));
    const everything = JSON.stringify(sdk.spans().map((s) => ({ a: s.attributes, st: s.status, ev: s.events })));
    for (const secret of [SECRET, String(n.fields.sign), String(n.fields.account_no), '6228480000000000', String(n.fields.account_name)]) {
      expect(everything).not.toContain(secret);
    }
  });
});

function withSign(n: { body: string | Buffer; headers: Record<string, string> }, sign: string): { body: string; headers: Record<string, string> } {
  const fields = JSON.parse(String(n.body));
  return { body: JSON.stringify({ ...fields, sign }), headers: n.headers };
}

function brokenStore(): DedupStore {
  const memory = new MemoryDedupStore();
  return {
    claim: async () => {
      throw new Error('ECONNREFUSED');
    },
    renew: (...args) => memory.renew(...args),
    complete: (...args) => memory.complete(...args),
    release: (...args) => memory.release(...args),
  };
}

function failingInbox(): Inbox {
  return {
    register: () => undefined,
    put: async () => {
      throw new WebhookError('INBOX_UNAVAILABLE', 'disk full');
    },
    close: async () => undefined,
  };
}

// Only Express has the app-level middleware an HTTP instrumentation stands in for here.
describe.each(EXPRESS_VERSIONS)('notification span under an HTTP server span on $name', (express) => {
  let server: Running | undefined;
  beforeEach(() => sdk.reset());
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function startExpress(version: typeof express, setup: (app: any) => void) {
    const app = version.create();
    setup(app);
    app.post('/notify', createPay247WebhookMiddleware({ secret: SECRET, onEvent: async () => undefined, logger: false }));
    server = await listen(app);
    return `${server.url}/notify`;
  }

  test('a child of the incoming HTTP span when there is one (INTERNAL, same trace)', async () => {
    const tracer = trace.getTracer('http-instrumentation-stand-in');
    let httpSpanId: string | undefined;
    const url = await startExpress(express, (app) =>
      app.use((_req: unknown, res: any, next: () => void) =>
        tracer.startActiveSpan('POST /notify', { kind: SpanKind.SERVER }, (span) => {
          httpSpanId = span.spanContext().spanId;
          res.on('finish', () => span.end());
          next();
        }),
      ),
    );
    await send(url);
    const { span } = await theNotification();
    expect(span.parentSpanContext?.spanId).toBe(httpSpanId);
    expect(span.kind).toBe(SpanKind.INTERNAL);
  });
});
