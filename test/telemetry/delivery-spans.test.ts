/**
 * OpenTelemetry for inbox deliveries, with the real SDK, on both inbox
 * backends: each attempt is its own CONSUMER span in a trace of its own,
 * linked to the span that stored the notification; confirm and onEvent are
 * its children; attempts are counted by outcome (delivered, retry, dead).
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { createPay247WebhookMiddleware, type InboxReport } from '../../lib';
import { buildPay247Notification } from '../../lib/testing';
import { until } from '../helpers/async';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { registerOtelSdk, type MetricPoint, type OtelSdk } from '../helpers/otel-sdk';
import { describeWithRedis } from '../helpers/redis-server';
import { listen, post, type Running } from '../helpers/server';
import { redisBackend, sqliteBackend, type Backend } from '../inbox/backends';

const SECRET = 'otel-delivery-key';
const [express5] = EXPRESS_VERSIONS;

let sdk: OtelSdk;
beforeAll(() => {
  sdk = registerOtelSdk();
});
afterAll(() => sdk.shutdown());

function deliveries(sdkSpans: ReadableSpan[]): ReadableSpan[] {
  return sdkSpans.filter((s) => s.name === 'webhook pay247 deliver').sort((a, b) => Number(a.attributes['webhook.delivery.attempt']) - Number(b.attributes['webhook.delivery.attempt']));
}

function count(points: MetricPoint[], outcome: string): number | undefined {
  return points.find((p) => p.name === 'webhook.inbox.delivery.attempts' && p.attributes['webhook.outcome'] === outcome)?.value;
}

function suite(backend: () => Backend) {
  let server: Running | undefined;
  beforeEach(() => sdk.reset());
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await backend().closeAll();
  });

  async function start(onEvent: () => Promise<void>, retry: { maxAttempts: number }) {
    const reports: InboxReport[] = [];
    const inbox = backend().fresh()({ retry: { ...retry, baseDelayMs: 5, maxDelayMs: 10 }, onInboxEvent: (r) => void reports.push(r) });
    const app = express5.create();
    app.post('/notify', createPay247WebhookMiddleware({ secret: SECRET, inbox, onEvent, onError: () => undefined } as never));
    server = await listen(app);
    const n = buildPay247Notification({ secret: SECRET, fields: { status: 2 } });
    expect((await post(`${server.url}/notify`, n.body, n.headers)).status).toBe(200);
    return reports;
  }

  test('a delivery that fails once then succeeds: two attempt spans (retry, delivered), each linked to the inbox put span, onEvent as child', async () => {
    let calls = 0;
    const reports = await start(async () => {
      if (++calls === 1) throw new Error('db down');
    }, { maxAttempts: 5 });
    await until(() => reports.some((r) => r.type === 'delivered'));
    await until(() => deliveries(sdk.spans()).length === 2);
    const spans = sdk.spans();
    const put = spans.find((s) => s.name === 'inbox put')!;
    const stored = spans.find((s) => s.name === 'webhook pay247')!;
    expect(stored.attributes['webhook.outcome']).toBe('stored');
    const [first, second] = deliveries(spans);
    for (const attempt of [first, second]) {
      expect(attempt.kind).toBe(SpanKind.CONSUMER);
      // Its own trace: a delivery is not part of the request that stored it, only linked to it.
      expect(attempt.spanContext().traceId).not.toBe(stored.spanContext().traceId);
      expect(attempt.links.map((l) => l.context.spanId)).toEqual([put.spanContext().spanId]);
      const onEvent = spans.find((s) => s.name === 'onEvent' && s.parentSpanContext?.spanId === attempt.spanContext().spanId);
      expect(onEvent).toBeDefined();
    }
    expect(first.attributes).toMatchObject({ 'webhook.delivery.attempt': 1, 'webhook.outcome': 'retry', 'error.type': 'HANDLER_FAILED' });
    expect(first.status.code).toBe(SpanStatusCode.ERROR);
    expect(second.attributes).toMatchObject({ 'webhook.delivery.attempt': 2, 'webhook.outcome': 'delivered' });
    expect(second.attributes['error.type']).toBeUndefined();
    const points = await sdk.points();
    expect(count(points, 'retry')).toBe(1);
    expect(count(points, 'delivered')).toBe(1);
    expect(points.find((p) => p.name === 'webhook.handler.duration' && p.attributes['webhook.outcome'] === 'error')?.value).toBe(1);
  });

  test('a dead letter: the last attempt span says dead, and dead attempts are counted', async () => {
    const reports = await start(async () => {
      throw new Error('never accepted');
    }, { maxAttempts: 2 });
    await until(() => reports.some((r) => r.type === 'dead'));
    await until(() => deliveries(sdk.spans()).length === 2);
    const [first, last] = deliveries(sdk.spans());
    expect(first.attributes['webhook.outcome']).toBe('retry');
    expect(last.attributes).toMatchObject({ 'webhook.outcome': 'dead', 'error.type': 'HANDLER_FAILED' });
    const points = await sdk.points();
    expect(count(points, 'dead')).toBe(1);
    expect(count(points, 'delivered')).toBeUndefined();
  });
}

describe('inbox delivery spans: SqliteInbox', () => {
  const backend = sqliteBackend();
  afterAll(() => backend.dispose());
  suite(() => backend);
});

describeWithRedis('inbox delivery spans: RedisInbox', () => {
  const backend = redisBackend();
  beforeAll(() => backend.start());
  afterAll(() => backend.server().stop());
  suite(() => backend);
});

describe('webhook.inbox.entries gauge', () => {
  const backend = sqliteBackend();
  afterAll(() => backend.dispose());
  beforeEach(() => sdk.reset());
  afterEach(() => backend.closeAll());

  test('counts per provider and state at collection, zeros included; a closed inbox is no longer read', async () => {
    const open = backend.fresh();
    const inbox = open({ retry: { maxAttempts: 1, baseDelayMs: 5, maxDelayMs: 10 } });
    const reports: InboxReport[] = [];
    const withReports = open({ retry: { maxAttempts: 1 }, onInboxEvent: (r) => void reports.push(r) });
    await withReports.close();
    let fail = true;
    const app = express5.create();
    app.post('/notify', createPay247WebhookMiddleware({ secret: SECRET, inbox, onEvent: async () => { if (fail) throw new Error('no'); }, onError: () => undefined } as never));
    const server = await listen(app);
    try {
      for (const status of [0, 1, 2]) {
        const n = buildPay247Notification({ secret: SECRET, fields: { status } });
        expect((await post(`${server.url}/notify`, n.body, n.headers)).status).toBe(200);
      }
      await until(async () => (await inbox.counts()).some((c) => c.state === 'dead' && c.count === 3));
      fail = false;
      const gauge = async () =>
        (await sdk.points())
          .filter((p) => p.name === 'webhook.inbox.entries')
          .map((p) => [p.attributes['webhook.provider'], p.attributes['webhook.inbox.state'], p.value])
          .sort();
      expect(await gauge()).toEqual([
        ['pay247', 'dead', 3],
        ['pay247', 'done', 0],
        ['pay247', 'pending', 0],
      ]);
      await inbox.replay('dead');
      await until(async () => (await inbox.counts()).some((c) => c.state === 'done' && c.count === 3));
      expect(await gauge()).toEqual([
        ['pay247', 'dead', 0],
        ['pay247', 'done', 3],
        ['pay247', 'pending', 0],
      ]);
    } finally {
      await server.close();
    }
  });
});
