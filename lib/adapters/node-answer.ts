import type { ServerResponse } from 'node:http';
import type { WebhookAnswer } from '../core/answer';

/** Writes the answer, unless something else already answered. */
export function writeNodeAnswer(res: ServerResponse, answer: WebhookAnswer): void {
  if (res.headersSent || res.writableEnded) return;
  // writeHead with the headers as a list: no header map to build when nothing else set one.
  // (Headers an earlier middleware set are kept: Node merges them.)
  res.writeHead(answer.status, answer.headers as string[]);
  res.end(answer.body);
}
