import { describeCause, type WebhookError, type WebhookErrorCode } from './errors';
import { oneLine } from './one-line';
import { activeTraceId } from '../telemetry/otel-api';

/**
 * Where the middleware and the inbox write their one-line reports: `console`,
 * a pino, bunyan or winston logger, anything with these three methods.
 *
 * Each call passes ONE argument, the whole line as a string. Loggers disagree
 * on the rest: pino and bunyan take `(fields, message)` and drop a second
 * argument that no `%s` in the message asks for, console prints `(fields,
 * message)` fields first. A single string reads the same in all of them.
 */
export interface WebhookLogger {
  info(line: string): unknown;
  warn(line: string): unknown;
  error(line: string): unknown;
}

type Level = keyof WebhookLogger;
const LEVELS: readonly Level[] = ['info', 'warn', 'error'];

/**
 * Failures that are the merchant's to fix (their handler, their store, their
 * configuration): `error`. Everything else is a request refused: `warn`.
 */
const FAILURES: ReadonlySet<WebhookErrorCode> = new Set<WebhookErrorCode>([
  'HANDLER_FAILED',
  'HANDLER_TIMEOUT',
  'CONFIRM_FAILED',
  'DECRYPTION_FAILED',
  'STORE_UNAVAILABLE',
  'INBOX_UNAVAILABLE',
  'CONFIGURATION',
]);

/**
 * Codes whose cause the operator needs and whose cause holds no request data
 * (a store's or Redis' error, a throwing dedupKey). A body parser's cause may
 * quote the body, so other causes are never logged; the handler's own error
 * is already in its message (see run-handler.ts).
 */
const CAUSE_LOGGED: ReadonlySet<WebhookErrorCode> = new Set<WebhookErrorCode>(['STORE_UNAVAILABLE', 'INBOX_UNAVAILABLE', 'CONFIGURATION']);

const LINE_PART_MAX = 500;

/** The `logger` option: undefined → console; false → nothing; else it must have info, warn and error. */
export function resolveLogger(where: string, option: unknown): WebhookLogger | undefined {
  if (option === undefined) return console;
  if (option === false) return undefined;
  const candidate = option as Partial<Record<Level, unknown>> | null;
  if (candidate === null || (typeof candidate !== 'object' && typeof candidate !== 'function') || LEVELS.some((level) => typeof candidate[level] !== 'function')) {
    throw new TypeError(`${where}: logger must have info, warn and error methods (console, a pino logger), or be false to log nothing.`);
  }
  return candidate as WebhookLogger;
}

/** Writes one line; a logger that throws or rejects changes nothing. */
export function writeLine(logger: WebhookLogger | undefined, level: Level, line: string): void {
  if (logger === undefined) return;
  try {
    const written = logger[level](line) as { then?: unknown } | undefined;
    if (written !== null && typeof written === 'object' && typeof written.then === 'function') {
      (written as Promise<unknown>).then(undefined, () => undefined);
    }
  } catch {
    // Logging is an observer: it never changes what the provider is told.
  }
}

/**
 * One refusal or failure as one line:
 * `express-payment-webhooks (pay247) SIGNATURE_MISMATCH status=401 event=…: <message>`.
 * `via=inbox` instead of a status for an inbox delivery (no HTTP answer).
 * Messages name the problem and never hold secrets, signatures, tokens or
 * field values (errors.ts), so the line does not either.
 */
export function logReport(logger: WebhookLogger | undefined, provider: string, error: WebhookError, via: 'request' | 'inbox'): void {
  if (logger === undefined) return;
  let line = `express-payment-webhooks (${provider}) ${error.code} ${via === 'request' ? `status=${error.status}` : 'via=inbox'}`;
  if (error.eventId !== undefined) line += ` event=${oneLine(error.eventId, LINE_PART_MAX)}`;
  // With OpenTelemetry recording: the trace this line belongs to, to join the two.
  const traceId = activeTraceId();
  if (traceId !== undefined) line += ` trace=${traceId}`;
  line += `: ${oneLine(error.message, LINE_PART_MAX)}`;
  if (CAUSE_LOGGED.has(error.code) && error.cause !== undefined) line += ` (cause: ${describeCause(error.cause)})`;
  writeLine(logger, FAILURES.has(error.code) ? 'error' : 'warn', line);
}

/** Logs a one-time notice about how this middleware is set up. */
export function logNotice(logger: WebhookLogger | undefined, where: string, level: Level, text: string): void {
  writeLine(logger, level, `${where}: ${text}`);
}
