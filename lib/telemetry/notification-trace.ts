import type { Attributes, Context, Link, Span, Tracer, TracerProvider } from '@opentelemetry/api';
import { ATTR, SCOPE, type NotificationOutcome } from './attributes';
import { instrumentsOf, metricsRecorded } from './instruments';
import { otelApi, type Otel } from './otel-api';

/** The steps of one notification that get a child span. */
export type StepName = 'verify' | 'dedup claim' | 'dedup complete' | 'dedup release' | 'confirm' | 'onEvent' | 'inbox put';

const STORE_STEPS: ReadonlySet<StepName> = new Set(['dedup claim', 'dedup complete', 'dedup release', 'inbox put']);

/** The error codes that mean "the merchant's work failed", not "the request was refused". */
const FAILED_CODES: ReadonlySet<string> = new Set(['HANDLER_FAILED', 'HANDLER_TIMEOUT', 'NOT_CONFIRMED', 'CONFIRM_FAILED']);

/**
 * One notification's span and metric points. The pipeline calls it at each
 * step; with OpenTelemetry absent, or no SDK recording, every call is a no-op
 * (the NOOP instance below), so the hot path pays nothing for it.
 */
export interface StepRunner {
  /** Runs `work` in a child span (and, for store steps and onEvent, times it). */
  step<T>(name: StepName, work: () => Promise<T>): Promise<T>;
}

export interface NotificationTrace extends StepRunner {
  /** Runs the whole handling with this notification's span active (log lines and the merchant's onError see it). */
  run<T>(work: () => Promise<T>): Promise<T>;
  stepSync<T>(name: StepName, work: () => T): T;
  /** The authenticated event: its type, id and (multi-account routes) account. */
  identify(event: { type: string; id: string; account?: string }): void;
  /** What the dedup store said. */
  claimed(state: 'claimed' | 'in-flight' | 'done'): void;
  /** The W3C traceparent of the current span, kept with an inbox entry so its delivery can link back. */
  traceparent(): string | undefined;
  /** The answer sent: ends the span and records the metric points. */
  end(status: number, errorCode: string | undefined): void;
}

const NOOP: NotificationTrace = {
  run: (work) => work(),
  step: (_name, work) => work(),
  stepSync: (_name, work) => work(),
  identify: () => undefined,
  claimed: () => undefined,
  traceparent: () => undefined,
  end: () => undefined,
};

/** Starts the trace of one incoming notification (a child of the active span, e.g. the HTTP server span). */
export function traceNotification(provider: string, method: string | undefined): NotificationTrace {
  const otel = otelApi();
  if (otel === undefined || nothingRegistered(otel)) return NOOP;
  const tracer = tracerOf(otel);
  const parent = otel.context.active();
  const kind = otel.trace.getSpan(parent) === undefined ? otel.SpanKind.SERVER : otel.SpanKind.INTERNAL;
  const span = tracer.startSpan(`webhook ${provider}`, { kind, attributes: { [ATTR.provider]: provider, [ATTR.httpMethod]: method ?? '' } }, parent);
  // Installed but nothing registered (or this trace sampled out and no metrics): nothing to record.
  if (!span.isRecording() && !metricsRecorded(otel)) return NOOP;
  return new RecordedNotification(otel, tracer, provider, span, otel.trace.setSpan(parent, span));
}

/**
 * The API installed and neither a tracer nor a meter provider registered
 * (yet: asked on every notification, so an SDK registered later is seen).
 * Then every span would be the API's no-op: the several lookups that making
 * one costs are skipped.
 */
function nothingRegistered(otel: Otel): boolean {
  const tracerProvider = otel.trace.getTracerProvider();
  return tracerProvider instanceof otel.ProxyTracerProvider && tracerProvider.getDelegate() === noopTracerProviderOf(otel) && !metricsRecorded(otel);
}

let noopTracerProvider: TracerProvider | undefined;

/** The API's own no-op provider: what a proxy with nothing registered delegates to. */
function noopTracerProviderOf(otel: Otel): TracerProvider {
  return (noopTracerProvider ??= new otel.ProxyTracerProvider().getDelegate());
}

class RecordedNotification implements NotificationTrace {
  private dedup: 'claimed' | 'in-flight' | 'done' | undefined;
  private stored = false;

  constructor(
    private readonly otel: Otel,
    private readonly tracer: Tracer,
    private readonly provider: string,
    private readonly span: Span,
    private readonly context: Context,
  ) {}

  run<T>(work: () => Promise<T>): Promise<T> {
    return this.otel.context.with(this.context, work);
  }

  async step<T>(name: StepName, work: () => Promise<T>): Promise<T> {
    const value = await runStep(this.otel, this.tracer, this.provider, this.context, name, work);
    if (name === 'inbox put') this.stored = true;
    return value;
  }

  stepSync<T>(name: StepName, work: () => T): T {
    const child = this.tracer.startSpan(name, undefined, this.context);
    try {
      const value = this.otel.context.with(this.otel.trace.setSpan(this.context, child), work);
      child.end();
      return value;
    } catch (error) {
      failSpan(this.otel, child, error);
      child.end();
      throw error;
    }
  }

  identify(event: { type: string; id: string; account?: string }): void {
    const attributes: Attributes = { [ATTR.eventType]: event.type, [ATTR.eventId]: event.id };
    if (event.account !== undefined) attributes[ATTR.account] = event.account;
    this.span.setAttributes(attributes);
  }

  claimed(state: 'claimed' | 'in-flight' | 'done'): void {
    this.dedup = state;
    this.span.setAttribute(ATTR.dedupOutcome, state);
  }

  traceparent(): string | undefined {
    const { traceId, spanId, traceFlags } = this.span.spanContext();
    return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`;
  }

  end(status: number, errorCode: string | undefined): void {
    const outcome = outcomeOf(status, errorCode, this.dedup, this.stored);
    this.span.setAttributes({ [ATTR.httpStatus]: status, [ATTR.outcome]: outcome });
    if (errorCode !== undefined) {
      this.span.setAttribute(ATTR.errorType, errorCode);
      // Only server-side faults mark the span as an error; a refused forgery is the middleware working.
      if (status >= 500) this.span.setStatus({ code: this.otel.SpanStatusCode.ERROR, message: errorCode });
    }
    this.span.end();
    const instruments = instrumentsOf(this.otel);
    const attributes = { [ATTR.provider]: this.provider, [ATTR.outcome]: outcome };
    instruments.notifications.add(1, attributes);
    if (errorCode !== undefined) instruments.refusals.add(1, { [ATTR.provider]: this.provider, [ATTR.errorType]: errorCode });
    if (outcome === 'duplicate') instruments.duplicates.add(1, { [ATTR.provider]: this.provider });
  }

}

/** A step as a child span of `parent`, timed into the handler or store histogram. */
async function runStep<T>(otel: Otel, tracer: Tracer, provider: string, parent: Context, name: StepName, work: () => Promise<T>): Promise<T> {
  const child = tracer.startSpan(name, undefined, parent);
  const started = performance.now();
  let error: unknown;
  try {
    return await otel.context.with(otel.trace.setSpan(parent, child), work);
  } catch (caught) {
    error = caught ?? new Error('rejected');
    failSpan(otel, child, error);
    throw caught;
  } finally {
    child.end();
    const seconds = (performance.now() - started) / 1000;
    const result = error === undefined ? 'ok' : 'error';
    const instruments = instrumentsOf(otel);
    if (name === 'onEvent') instruments.handlerDuration.record(seconds, { [ATTR.provider]: provider, [ATTR.outcome]: result });
    else if (STORE_STEPS.has(name)) instruments.storeDuration.record(seconds, { [ATTR.provider]: provider, [ATTR.storeOperation]: name, [ATTR.outcome]: result });
  }
}

/** Steps under whatever span is active (an inbox delivery's): confirm and onEvent of a stored notification. */
export function activeSteps(provider: string): StepRunner {
  return {
    step(name, work) {
      const otel = otelApi();
      if (otel === undefined) return work();
      const parent = otel.context.active();
      if (otel.trace.getSpan(parent)?.isRecording() !== true && !metricsRecorded(otel)) return work();
      return runStep(otel, tracerOf(otel), provider, parent, name, work);
    },
  };
}

export function outcomeOf(status: number, errorCode: string | undefined, dedup: string | undefined, stored: boolean): NotificationOutcome | 'unavailable' {
  if (errorCode === undefined) return dedup === 'done' ? 'duplicate' : stored ? 'stored' : 'handled';
  if (errorCode === 'IN_FLIGHT') return 'in_flight';
  if (FAILED_CODES.has(errorCode)) return 'failed';
  return status === 503 ? 'unavailable' : 'refused';
}

/** The error's code (a WebhookError's) as error.type; never its message, which may quote the merchant's own error. */
function failSpan(otel: Otel, span: Span, error: unknown): void {
  const code = (error as { code?: unknown })?.code;
  const type = typeof code === 'string' ? code : ((error as Error)?.name ?? 'Error');
  span.setAttribute(ATTR.errorType, type);
  span.setStatus({ code: otel.SpanStatusCode.ERROR, message: type });
}

/** Trace of one inbox delivery attempt: its own span, linked to the span that stored the notification. */
export interface DeliveryTrace {
  run<T>(work: () => Promise<T>): Promise<T>;
  end(outcome: 'delivered' | 'retry' | 'dead', errorCode: string | undefined): void;
}

const NOOP_DELIVERY: DeliveryTrace = { run: (work) => work(), end: () => undefined };

export function traceDelivery(provider: string, entry: { key: string; eventType: string; attempt: number; traceparent: string | undefined }): DeliveryTrace {
  const otel = otelApi();
  if (otel === undefined) return NOOP_DELIVERY;
  const tracer = tracerOf(otel);
  const links: Link[] = [];
  const stored = parseTraceparent(entry.traceparent);
  if (stored !== undefined) links.push({ context: stored });
  const span = tracer.startSpan(`webhook ${provider} deliver`, {
    kind: otel.SpanKind.CONSUMER,
    links,
    // A delivery is not part of whatever request happened to wake the worker: a trace of its own.
    root: true,
    attributes: { [ATTR.provider]: provider, [ATTR.eventId]: entry.key, [ATTR.eventType]: entry.eventType, [ATTR.attempt]: entry.attempt },
  });
  if (!span.isRecording() && !metricsRecorded(otel)) return NOOP_DELIVERY;
  const context = otel.trace.setSpan(otel.ROOT_CONTEXT, span);
  let ended = false;
  return {
    run: (work) => otel.context.with(context, work),
    end(outcome, errorCode) {
      // One outcome per attempt (a late settle after hardTimeoutMs records nothing new here).
      if (ended) return;
      ended = true;
      span.setAttribute(ATTR.outcome, outcome);
      if (errorCode !== undefined) {
        span.setAttribute(ATTR.errorType, errorCode);
        span.setStatus({ code: otel.SpanStatusCode.ERROR, message: errorCode });
      }
      span.end();
      instrumentsOf(otel).deliveryAttempts.add(1, { [ATTR.provider]: provider, [ATTR.outcome]: outcome });
    },
  };
}

function parseTraceparent(value: string | undefined): import('@opentelemetry/api').SpanContext | undefined {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value ?? '');
  if (match === null || /^0+$/.test(match[1])) return undefined;
  return { traceId: match[1], spanId: match[2], traceFlags: parseInt(match[3], 16), isRemote: true };
}

let tracer: Tracer | undefined;

/**
 * The package's tracer, taken once: the API hands out a proxy that finds the
 * app's provider whenever one is registered, and a new proxy per call would be
 * an allocation on every notification.
 */
function tracerOf(otel: Otel): Tracer {
  return (tracer ??= otel.trace.getTracer(SCOPE));
}
