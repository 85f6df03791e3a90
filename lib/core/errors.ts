import { oneLine } from './one-line';

/**
 * Every way a notification can be refused or fail, with the HTTP status the
 * provider sees. Codes are stable: merchants switch on them in `onError`.
 */
export const ERROR_STATUS = {
  METHOD_NOT_ALLOWED: 405,
  IP_NOT_ALLOWED: 403,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BODY_TOO_LARGE: 413,
  BODY_TIMEOUT: 408,
  BODY_MALFORMED: 400,
  BODY_INVALID: 400,
  SIGNATURE_MISSING: 401,
  SIGNATURE_MISMATCH: 401,
  SIGNATURE_AMBIGUOUS: 401,
  TIMESTAMP_OUT_OF_TOLERANCE: 401,
  // resolveCredentials has no credentials for the account the notification names.
  ACCOUNT_UNKNOWN: 401,
  IN_FLIGHT: 503,
  STORE_UNAVAILABLE: 503,
  NOT_CONFIRMED: 409,
  CONFIRM_FAILED: 502,
  HANDLER_FAILED: 500,
  HANDLER_TIMEOUT: 500,
  // Reported only (the answer was sent at handlerTimeoutMs): the handler had
  // not settled by hardTimeoutMs, so its claim was let go and a retry may run.
  HANDLER_ABANDONED: 500,
  // Reported only: a running handler's claim could not be renewed (lost to
  // expiry, or the store failed); its ctx.signal is aborted.
  CLAIM_LOST: 503,
  // The body was authentic (its signature verified) but could not be decrypted
  // with the merchant's key: a fault on the merchant's side, not a bad request.
  DECRYPTION_FAILED: 500,
  INBOX_UNAVAILABLE: 503,
  // resolveCredentials threw, rejected, timed out or returned malformed
  // credentials: nothing was verified, so the provider is asked to retry.
  CREDENTIALS_UNAVAILABLE: 503,
  CONFIGURATION: 500,
} as const;

export type WebhookErrorCode = keyof typeof ERROR_STATUS;

export interface WebhookErrorDetails {
  /** The provider whose middleware refused the request. */
  provider?: string;
  /** The notification's dedup key, once it is known (after authentication). */
  eventId?: string;
  cause?: unknown;
}

/**
 * Messages are written for the merchant's logs: they name the problem and the
 * fix, and never contain secrets, signatures or field values.
 */
export class WebhookError extends Error {
  readonly code: WebhookErrorCode;
  readonly status: number;
  provider?: string;
  eventId?: string;

  constructor(code: WebhookErrorCode, message: string, details: WebhookErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'WebhookError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.provider = details.provider;
    this.eventId = details.eventId;
  }
}

/** Longest piece of a cause's text kept in a message or a log line. */
const CAUSE_TEXT_MAX = 300;

/**
 * The cause's own message, for the merchant's eyes (log line, `onError`,
 * the inbox's `lastError`): never its stack, on one line (control characters
 * replaced, so it cannot forge further log lines), cut short. Never sent in a
 * response body.
 */
export function describeCause(cause: unknown): string {
  let text: string;
  if (cause instanceof Error) text = cause.message === '' ? cause.name : cause.message;
  else if (typeof cause === 'string') text = cause;
  else text = `a non-Error value (${cause === null ? 'null' : typeof cause})`;
  return oneLine(text, CAUSE_TEXT_MAX).trim();
}
