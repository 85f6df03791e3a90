import type { Counter, Histogram, MeterProvider } from '@opentelemetry/api';
import { METRIC, SCOPE } from './attributes';
import type { Otel } from './otel-api';

export interface Instruments {
  notifications: Counter;
  refusals: Counter;
  duplicates: Counter;
  handlerDuration: Histogram;
  storeDuration: Histogram;
  deliveryAttempts: Counter;
}

/** Whether the app registered a meter provider (the API's default makes no-op meters). */
export function metricsRecorded(otel: Otel): boolean {
  const provider = otel.metrics.getMeterProvider();
  if (recordedBy?.provider !== provider) {
    recordedBy = { provider, recorded: !(provider.getMeter(SCOPE) instanceof (otel.createNoopMeter().constructor as new () => unknown)) };
  }
  return recordedBy.recorded;
}

let recordedBy: { provider: MeterProvider; recorded: boolean } | undefined;

let cached: { provider: MeterProvider; instruments: Instruments } | undefined;

/**
 * The package's instruments on the app's current meter provider. The metrics
 * API has no proxy provider (unlike tracing): a meter taken before the app
 * registered its SDK would stay a no-op, so the provider is looked up on each
 * use and the instruments made again when it changed.
 */
export function instrumentsOf(otel: Otel): Instruments {
  const provider = otel.metrics.getMeterProvider();
  if (cached?.provider === provider) return cached.instruments;
  const meter = provider.getMeter(SCOPE);
  const seconds = { unit: 's', advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] } };
  const instruments: Instruments = {
    notifications: meter.createCounter(METRIC.notifications, {
      unit: '{notification}',
      description: 'Notifications received, by provider and outcome.',
    }),
    refusals: meter.createCounter(METRIC.refusals, {
      unit: '{notification}',
      description: 'Notifications refused or failed, by provider and error code (error.type).',
    }),
    duplicates: meter.createCounter(METRIC.duplicates, {
      unit: '{notification}',
      description: 'Notifications answered "done" from the dedup store without running the handler.',
    }),
    handlerDuration: meter.createHistogram(METRIC.handlerDuration, { ...seconds, description: 'How long onEvent (with confirm) ran.' }),
    storeDuration: meter.createHistogram(METRIC.storeDuration, { ...seconds, description: 'Dedup store and inbox write latency, by operation.' }),
    deliveryAttempts: meter.createCounter(METRIC.deliveryAttempts, {
      unit: '{attempt}',
      description: 'Inbox delivery attempts, by provider and outcome (delivered, retry, dead).',
    }),
  };
  cached = { provider, instruments };
  return instruments;
}
