import type { IncomingHttpHeaders } from 'node:http';
import type { RawBodyReader, RawBodyReaderOptions } from '../body/read-raw-body';

/** How bodies are read for one route: its limit and read timeout, and the reader for Node streams made from them. */
export interface BodyReading {
  bodyLimits: RawBodyReaderOptions;
  readRaw: RawBodyReader;
}

/**
 * The body as an adapter found it: the exact bytes it read (within the limit
 * and the read timeout, inflated), or, when another parser read the stream
 * first, what that parser left: its copy of the bytes, else its parsed fields.
 */
export type ReceivedBody = { raw: Buffer | string } | { raw: undefined; parsed: unknown };

/**
 * One request as the pipeline needs it, whatever the server: each adapter
 * (lib/adapters/*) fills it in from its own request object.
 */
export interface RequestFacts<Req = unknown> {
  /** The server's own request object: what `ctx.req` and `onError` get. */
  readonly req: Req;
  readonly method: string | undefined;
  /** Lower-case names, as Node gives them. */
  readonly headers: IncomingHttpHeaders;
  /** The path and query as sent (Express: `req.originalUrl`). */
  readonly url: string;
  /** The client address after the server's proxy rules; read only when `allowIps` is set. */
  readonly ip: string | undefined;
  /** The body: read once, after the method and address were admitted. */
  body(reading: BodyReading): Promise<ReceivedBody>;
}
