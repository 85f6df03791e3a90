import type { IncomingHttpHeaders } from 'node:http';
import { readWebBody } from '../body/read-web-body';
import type { WebhookAnswer } from '../core/answer';
import type { AnyWebhookEvent } from '../core/event';
import { assertKnownOptions, type OptionNames } from '../core/option-names';
import type { WebhookOptions } from '../core/options';
import { createWebhookHandler } from '../core/pipeline';
import type { ProviderSpec } from '../core/provider-spec';
import type { BodyReading, ReceivedBody, RequestFacts } from '../core/request-facts';

/** A Fetch API route handler: Next.js App Router, Hono (`c.req.raw`), Bun, Deno. */
export type FetchWebhookHandler = (request: Request) => Promise<Response>;

/** What only the Fetch handler needs: a Request does not say where it came from. */
export interface FetchAdapterOptions {
  /**
   * The client address, for `allowIps` (e.g. Bun: `server.requestIP(req)?.address`,
   * Deno: `info.remoteAddr.hostname`, or your proxy's header). Without it, a
   * route with `allowIps` refuses every request (403).
   */
  clientIp?(request: Request): string | undefined;
}

class FetchRequestFacts implements RequestFacts<Request> {
  readonly headers: IncomingHttpHeaders;
  readonly url: string;

  constructor(
    readonly req: Request,
    private readonly adapter: FetchAdapterOptions,
  ) {
    this.headers = nodeHeaders(req.headers);
    const url = new URL(req.url);
    this.url = url.pathname + url.search;
  }

  get method(): string {
    return this.req.method;
  }

  get ip(): string | undefined {
    return this.adapter.clientIp?.(this.req);
  }

  async body(reading: BodyReading): Promise<ReceivedBody> {
    // Read by someone else (request.json() before this handler): nothing left to verify.
    if (this.req.bodyUsed) return { raw: undefined, parsed: undefined };
    const headers = { contentEncoding: this.req.headers.get('content-encoding'), contentLength: this.req.headers.get('content-length') };
    return { raw: await readWebBody(this.req.body, headers, reading.bodyLimits) };
  }
}

/** Headers as Node gives them: lower-case names, in an object without a prototype. */
function nodeHeaders(headers: Headers): IncomingHttpHeaders {
  const out: Record<string, string> = Object.create(null);
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

const ADAPTER_OPTIONS: OptionNames<FetchAdapterOptions> = { clientIp: true };

function toResponse(answer: WebhookAnswer): Response {
  const headers = new Headers();
  for (let i = 0; i < answer.headers.length; i += 2) headers.append(answer.headers[i], answer.headers[i + 1]);
  return new Response(answer.body, { status: answer.status, headers });
}

export function toFetchHandler<E extends AnyWebhookEvent>(
  spec: ProviderSpec<E>,
  options: WebhookOptions<E, Request>,
  adapter: FetchAdapterOptions = {},
): FetchWebhookHandler {
  if (adapter === null || typeof adapter !== 'object') throw new TypeError('express-payment-webhooks: the Fetch adapter options must be an object, e.g. { clientIp }.');
  // A misspelt clientIP would leave allowIps refusing every request, with nothing said.
  assertKnownOptions('express-payment-webhooks (Fetch adapter options)', adapter, ADAPTER_OPTIONS);
  if (adapter.clientIp !== undefined && typeof adapter.clientIp !== 'function') throw new TypeError('express-payment-webhooks: clientIp must be a function.');
  const handle = createWebhookHandler(spec, options);
  return function paymentWebhookHandler(request) {
    return handle(new FetchRequestFacts(request, adapter)).then(toResponse);
  };
}
