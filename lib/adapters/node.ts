import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyWebhookEvent } from '../core/event';
import type { WebhookOptions, WebhookRequest } from '../core/options';
import { createWebhookHandler } from '../core/pipeline';
import type { ProviderSpec } from '../core/provider-spec';
import { writeNodeAnswer } from './node-answer';
import { NodeRequestFacts } from './node-request';

/** A `node:http` request listener: `http.createServer(listener)`, or called from your own router. */
export type NodeWebhookListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The client address is the socket's (put a proxy's header rules in your own code,
 * or use the Express middleware with `trust proxy`). The Express adapter is this
 * listener too: what Express adds to `req` is read where present.
 */
export function toNodeListener<E extends AnyWebhookEvent>(spec: ProviderSpec<E>, options: WebhookOptions<E, WebhookRequest>): NodeWebhookListener {
  const handle = createWebhookHandler(spec, options);
  return function paymentWebhookListener(req, res) {
    void handle(new NodeRequestFacts(req, res)).then((answer) => writeNodeAnswer(res, answer));
  };
}
