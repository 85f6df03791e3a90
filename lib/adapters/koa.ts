import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Context, Next } from 'koa';
import type { WebhookAnswer } from '../core/answer';
import type { AnyWebhookEvent } from '../core/event';
import type { WebhookOptions } from '../core/options';
import { createWebhookHandler } from '../core/pipeline';
import type { ProviderSpec } from '../core/provider-spec';
import type { BodyReading, ReceivedBody, RequestFacts } from '../core/request-facts';
import { leftByBodyParser, receivedNodeBody, type LeftByParser } from './node-body';

/** A Koa middleware: `router.post('/webhooks/pay247', createPay247WebhookHandler({ … }))`. */
export type KoaWebhookMiddleware = (ctx: Context, next: Next) => Promise<void>;

/** The request as koa-bodyparser leaves it. */
interface KoaParsedRequest {
  body?: unknown;
  rawBody?: string;
}

class KoaRequestFacts implements RequestFacts<Context> {
  constructor(readonly req: Context) {}

  get method(): string {
    return this.req.method;
  }

  get headers(): IncomingHttpHeaders {
    return this.req.req.headers;
  }

  get url(): string {
    return this.req.originalUrl;
  }

  /** After Koa's `app.proxy` rules. */
  get ip(): string | undefined {
    return this.req.ip;
  }

  body(reading: BodyReading): Promise<ReceivedBody> {
    return receivedNodeBody(this.req.req, this.req.res, reading, () => leftByKoaBodyParser(this.req));
  }
}

/** koa-bodyparser keeps the text as `ctx.request.rawBody`; else what a Node-level parser left on `ctx.req`. */
function leftByKoaBodyParser(ctx: Context): LeftByParser {
  const request = ctx.request as KoaParsedRequest;
  const node = leftByBodyParser(ctx.req as IncomingMessage);
  return { raw: request.rawBody ?? node.raw, parsed: request.body ?? node.parsed };
}

function writeKoaAnswer(ctx: Context, answer: WebhookAnswer): void {
  ctx.status = answer.status;
  // Headers before the body: Koa guesses a Content-Type only when none is set.
  for (let i = 0; i < answer.headers.length; i += 2) ctx.set(answer.headers[i], answer.headers[i + 1]);
  ctx.body = answer.body;
}

/**
 * Answers every request itself and does not call `next`: the webhook route
 * is the end of the chain, as with Express.
 */
export function toKoaMiddleware<E extends AnyWebhookEvent>(spec: ProviderSpec<E>, options: WebhookOptions<E, Context>): KoaWebhookMiddleware {
  const handle = createWebhookHandler(spec, options);
  return async function paymentWebhookMiddleware(ctx) {
    writeKoaAnswer(ctx, await handle(new KoaRequestFacts(ctx)));
  };
}
