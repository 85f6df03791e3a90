import type * as OtelApi from '@opentelemetry/api';

export type Otel = typeof OtelApi;

let loaded: Otel | null | undefined;

/**
 * `@opentelemetry/api`, when the app has it installed; undefined otherwise.
 * Loaded on first use and never required: an app without OpenTelemetry loads
 * nothing of it, and the package records nothing.
 */
export function otelApi(): Otel | undefined {
  if (loaded === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require('@opentelemetry/api') as Otel;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

/** The active span as a W3C traceparent, when there is a real one (an inbox entry keeps it for its delivery's link). */
export function activeTraceparent(): string | undefined {
  const span = otelApi()?.trace.getActiveSpan();
  if (span === undefined || !span.isRecording()) return undefined;
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`;
}

/** The active span's trace id, for a log line to be joined with its trace. */
export function activeTraceId(): string | undefined {
  const span = otelApi()?.trace.getActiveSpan();
  if (span === undefined) return undefined;
  const { traceId } = span.spanContext();
  // The no-op span's all-zero id means there is no trace to join.
  return otelApi()!.isValidTraceId(traceId) ? traceId : undefined;
}
