import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { WebhookRequest } from '../core/options';
import type { BodyReading, ReceivedBody, RequestFacts } from '../core/request-facts';
import { leftByBodyParser, receivedNodeBody } from './node-body';

/**
 * A Node request, as Express or a plain node:http server hands it over.
 * `req.ip` is read only when asked for (by `allowIps`): Express computes it
 * on every read, through its `trust proxy` rules and X-Forwarded-For; without
 * Express it is the socket's address.
 */
export class NodeRequestFacts implements RequestFacts<WebhookRequest> {
  readonly url: string;

  constructor(
    readonly req: WebhookRequest,
    private readonly res: ServerResponse,
  ) {
    this.url = req.originalUrl ?? req.url ?? '/';
  }

  get method(): string | undefined {
    return this.req.method;
  }

  get headers(): IncomingHttpHeaders {
    return this.req.headers;
  }

  get ip(): string | undefined {
    return this.req.ip ?? this.req.socket?.remoteAddress;
  }

  body(reading: BodyReading): Promise<ReceivedBody> {
    return receivedNodeBody(this.req, this.res, reading, leftByBodyParser);
  }
}
