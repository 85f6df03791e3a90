import type { ServerResponse } from 'node:http';
import type { AnyWebhookEvent } from './core/event';
import type { WebhookOptions, WebhookRequest } from './core/options';
import { createWebhookHandler } from './core/pipeline';
import type { ProviderSpec } from './core/provider-spec';

/** An Express (4 or 5) request handler; also a plain `(req, res)` Node listener. */
export type WebhookMiddleware = (req: WebhookRequest, res: ServerResponse, next?: (err?: unknown) => void) => void;

/**
 * The Express adapter. It answers every request itself and never calls
 * `next(err)`, so Express 4 and 5 behave the same and no error page leaks.
 */
export function toExpressMiddleware<E extends AnyWebhookEvent>(
  spec: ProviderSpec<E>,
  options: WebhookOptions<E, WebhookRequest>,
): WebhookMiddleware {
  const handle = createWebhookHandler(spec, options);
  return function paymentWebhookMiddleware(req, res) {
    void handle(req, res, { ip: req.ip ?? req.socket?.remoteAddress, url: req.originalUrl ?? req.url ?? '/' });
  };
}
