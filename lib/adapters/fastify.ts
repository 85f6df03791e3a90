import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebhookAnswer } from '../core/answer';
import type { AnyWebhookEvent } from '../core/event';
import type { WebhookOptions } from '../core/options';
import { createWebhookHandler } from '../core/pipeline';
import type { ProviderSpec } from '../core/provider-spec';
import type { BodyReading, ReceivedBody, RequestFacts } from '../core/request-facts';
import { leftByBodyParser, receivedNodeBody } from './node-body';

/** The options `app.register(plugin, { path })` takes. */
export interface FastifyWebhookRouteOptions {
  /** The route, under the register `prefix` if any. Default '/'. */
  path?: string;
}

/** A Fastify plugin: `app.register(createPay247WebhookHandler({ … }), { path: '/webhooks/pay247' })`. */
export type FastifyWebhookPlugin = (instance: FastifyInstance, options: FastifyWebhookRouteOptions, done: (err?: Error) => void) => void;

class FastifyRequestFacts implements RequestFacts<FastifyRequest> {
  constructor(
    readonly req: FastifyRequest,
    private readonly reply: FastifyReply,
  ) {}

  get method(): string {
    return this.req.method;
  }

  get headers(): IncomingHttpHeaders {
    return this.req.headers;
  }

  get url(): string {
    return this.req.originalUrl;
  }

  /** After Fastify's `trustProxy` rules. */
  get ip(): string | undefined {
    return this.req.ip;
  }

  body(reading: BodyReading): Promise<ReceivedBody> {
    // The route's own content-type parser leaves the stream unread; only a hook of the app's can have read it.
    return receivedNodeBody(this.req.raw, this.reply.raw, reading, leftByBodyParser);
  }
}

function writeFastifyAnswer(reply: FastifyReply, answer: WebhookAnswer): FastifyReply {
  reply.code(answer.status);
  for (let i = 0; i < answer.headers.length; i += 2) reply.header(answer.headers[i], answer.headers[i + 1]);
  return reply.send(answer.body);
}

/**
 * Hands the body stream through unread, whatever its content type: the
 * pipeline reads the exact bytes itself (limit, inflation, read timeout).
 */
function passThrough(_request: FastifyRequest, _payload: unknown, done: (err: Error | null, body?: unknown) => void): void {
  done(null, undefined);
}

/**
 * The route in a context of its own (not wrapped in fastify-plugin, so it is
 * encapsulated): the content-type parsers the app registered, JSON's
 * included, are replaced there by one that keeps the raw body, and nothing
 * leaks to the app's other routes. Every method is routed here, so that a GET
 * gets the provider's 405, as on the other servers.
 */
export function toFastifyPlugin<E extends AnyWebhookEvent>(spec: ProviderSpec<E>, options: WebhookOptions<E, FastifyRequest>): FastifyWebhookPlugin {
  const handle = createWebhookHandler(spec, options);
  return function paymentWebhookPlugin(instance, routeOptions, done) {
    instance.removeAllContentTypeParsers();
    // The provider's media types by name as well: Fastify keeps no cache for its catch-all, and parsed the
    // Content-Type of every notification again to find it.
    instance.addContentTypeParser(Object.keys(spec.mediaTypes), passThrough);
    instance.addContentTypeParser('*', passThrough);
    instance.all(routeOptions.path ?? '/', (request, reply) => handle(new FastifyRequestFacts(request, reply)).then((answer) => writeFastifyAnswer(reply, answer)));
    done();
  };
}
