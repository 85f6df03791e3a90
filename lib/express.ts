import type { ServerResponse } from 'node:http';
import { toNodeListener } from './adapters/node';
import type { AnyWebhookEvent } from './core/event';
import type { WebhookOptions, WebhookRequest } from './core/options';
import type { ProviderSpec } from './core/provider-spec';

/** An Express (4 or 5) request handler; also a plain `(req, res)` Node listener. */
export type WebhookMiddleware = (req: WebhookRequest, res: ServerResponse, next?: (err?: unknown) => void) => void;

/**
 * The Express adapter: the node:http listener, which reads what Express adds
 * (`req.ip` through `trust proxy`, `req.originalUrl`, a body an earlier parser
 * left). It answers every request itself and never calls `next(err)`, so
 * Express 4 and 5 behave the same and no error page leaks.
 */
export function toExpressMiddleware<E extends AnyWebhookEvent>(
  spec: ProviderSpec<E>,
  options: WebhookOptions<E, WebhookRequest>,
): WebhookMiddleware {
  return toNodeListener(spec, options);
}
