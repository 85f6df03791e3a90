import type { AckBody } from './provider-spec';

/** What the provider is told: an adapter writes it as it is. */
export interface WebhookAnswer {
  readonly status: number;
  /** Name, value, name, value…: as Node's writeHead takes them. */
  readonly headers: readonly string[];
  readonly body: string;
}

export function answerOf(status: number, ack: AckBody): WebhookAnswer {
  // Content-Length given, since the head is built before the body is written: never chunked.
  const headers = ['Content-Type', ack.contentType, 'Content-Length', String(Buffer.byteLength(ack.body))];
  // A body still dribbling in after a timeout, or left unread over the limit: close rather than keep reading it.
  if (status === 408 || status === 413) headers.push('Connection', 'close');
  if (status === 405) headers.push('Allow', 'POST');
  return { status, headers, body: ack.body };
}
