/**
 * With the API installed and nothing registered, a notification makes no
 * span at all (a fast path). That must never hide what an app registers
 * later, after its routes were made, or only one of the two: a tracer
 * provider alone gets its spans, a meter provider alone its points.
 */
import { context, metrics, trace } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import express from 'express';
import { createPay247WebhookMiddleware } from '../../lib';
import { buildPay247Notification } from '../../lib/testing';
import { listen, post, type Running } from '../helpers/server';

const SECRET = 'otel-order-secret';

class CollectingReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

async function notificationCount(reader: CollectingReader): Promise<number> {
  const { resourceMetrics } = await reader.collect();
  let total = 0;
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== 'webhook.notifications') continue;
      for (const point of metric.dataPoints) total += point.value as number;
    }
  }
  return total;
}

describe('OpenTelemetry registered after the route was made', () => {
  let server: Running;
  let seq = 0;
  const send = async () => {
    const n = buildPay247Notification({ secret: SECRET, fields: { order_no: `REG${seq++}` } });
    const answer = await post(`${server.url}/notify`, n.body, n.headers);
    expect(answer.status).toBe(200);
  };
  /** The span ends right after the answer is written. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

  beforeAll(async () => {
    const app = express();
    app.post('/notify', createPay247WebhookMiddleware({ secret: SECRET, logger: false, onEvent: async () => undefined }));
    server = await listen(app);
  });
  afterAll(async () => {
    await server.close();
    trace.disable();
    metrics.disable();
    context.disable();
  });

  test('nothing registered, then a tracer provider only: its spans; then a meter provider too: its points', async () => {
    await send();

    const exporter = new InMemorySpanExporter();
    const tracerProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    tracerProvider.register();
    await send();
    await settle();
    expect(exporter.getFinishedSpans().filter((span) => span.name === 'webhook pay247')).toHaveLength(1);

    const reader = new CollectingReader();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    await send();
    await settle();
    expect(exporter.getFinishedSpans().filter((span) => span.name === 'webhook pay247')).toHaveLength(2);
    expect(await notificationCount(reader)).toBe(1);
    await tracerProvider.shutdown();
  });

  test('a meter provider only (no tracer provider): its points', async () => {
    trace.disable();
    metrics.disable();
    const reader = new CollectingReader();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    await send();
    await send();
    await settle();
    expect(await notificationCount(reader)).toBe(2);
  });
});
