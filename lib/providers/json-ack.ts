import type { WebhookError } from '../core/errors';
import type { AckBody } from '../core/provider-spec';

/** `{"code":…,"message":…}`, the answer shape of providers that read a JSON ack. */
export function jsonAck(code: number, message: string): AckBody {
  return { contentType: 'application/json; charset=utf-8', body: JSON.stringify({ code, message }) };
}

/** A short, stable reason from the error's code ("signature mismatch"): never internal text or field values. */
export function shortReason(error: WebhookError): string {
  return error.code.toLowerCase().replace(/_/g, ' ');
}
