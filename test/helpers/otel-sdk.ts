import { context, metrics, trace } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader, type DataPoint, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';

/** Collects on demand: what a Prometheus scrape or an OTLP export would see. */
class CollectingReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

export interface MetricPoint {
  name: string;
  unit: string;
  attributes: Record<string, unknown>;
  /** A counter's sum, or a histogram's count, or a gauge's value. */
  value: number;
  gauge: boolean;
}

export interface OtelSdk {
  spans(): ReadableSpan[];
  points(): Promise<MetricPoint[]>;
  reset(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The real OpenTelemetry SDK, registered globally as an app does at startup:
 * a NodeTracerProvider (AsyncLocalStorage context) exporting to memory, and a
 * MeterProvider read on demand.
 */
export function registerOtelSdk(): OtelSdk {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  tracerProvider.register();
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(meterProvider);
  let baseline: MetricPoint[] = [];

  const read = async (): Promise<MetricPoint[]> => {
    const { resourceMetrics } = await reader.collect();
    return flatten(resourceMetrics);
  };
  return {
    spans: () => exporter.getFinishedSpans(),
    // Cumulative sums minus what was there at the last reset(): each test sees its own points. Gauges as they are.
    async points() {
      const now = await read();
      return now
        .map((point) => {
          if (point.gauge) return point;
          const before = baseline.find((b) => b.name === point.name && sameAttributes(b.attributes, point.attributes));
          return { ...point, value: point.value - (before?.value ?? 0) };
        })
        .filter((point) => point.gauge || point.value !== 0);
    },
    async reset() {
      exporter.reset();
      baseline = await read();
    },
    async shutdown() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      trace.disable();
      metrics.disable();
      context.disable();
    },
  };
}

function flatten(resourceMetrics: ResourceMetrics): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      for (const point of metric.dataPoints as Array<DataPoint<unknown>>) {
        const value = typeof point.value === 'number' ? point.value : (point.value as { count: number }).count;
        const gauge = metric.dataPointType === DataPointType.GAUGE;
        points.push({ name: metric.descriptor.name, unit: metric.descriptor.unit, attributes: { ...point.attributes }, value, gauge });
      }
    }
  }
  return points;
}

function sameAttributes(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
