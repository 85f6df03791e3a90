import type { ServerResponse } from 'node:http';
import type { Request } from 'express';
import { toNodeListener } from './adapters/node';
import type { AnyWebhookEvent } from './core/event';
import type { WebhookOptions, WebhookRequest } from './core/options';
import type { ProviderSpec } from './core/provider-spec';

/**
 * What `ctx.req` (and `onError`'s `req`) is in the create…WebhookMiddleware
 * factories' options: Express' own request, 4 or 5, as Express passes it.
 * (Mounted as a plain Node listener, the middleware gets Node's request,
 * without Express' additions.)
 */
export type ExpressRequest = Request;

/** An Express (4 or 5) request handler; also a plain `(req, res)` Node listener. */
export type WebhookMiddleware = (req: WebhookRequest, res: ServerResponse, next?: (err?: unknown) => void) => void;

/**
 * The Express adapter: the node:http listener, which reads what Express adds
 * (`req.ip` through `trust proxy`, `req.originalUrl`, a body an earlier parser
 * left). It answers every POST itself and never calls `next(err)`, so Express
 * 4 and 5 behave the same and no error page leaks. Any other method cannot be
 * a notification: with a `next` (Express, mounted by `app.use` or `app.all`),
 * it goes on to the app's other routes; without one (a plain Node listener),
 * it is answered 405.
 */
export function toExpressMiddleware<E extends AnyWebhookEvent, C>(
  spec: ProviderSpec<E, C>,
  options: WebhookOptions<E, WebhookRequest>,
): WebhookMiddleware {
  const listener = toNodeListener(spec, options);
  return function paymentWebhookMiddleware(req, res, next) {
    if (req.method !== 'POST' && typeof next === 'function') {
      next();
      return;
    }
    listener(req, res);
  };
}
