import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BodyReading, ReceivedBody } from '../core/request-facts';

/** What a parser that ran first left on a Node request: its copy of the bytes, and its parsed body. */
export interface LeftByParser {
  raw: Buffer | string | undefined;
  parsed: unknown;
}

/**
 * The body of a Node request: read off the stream, or, when another parser
 * already read it, what `left` says that parser kept.
 */
export function receivedNodeBody(
  req: IncomingMessage,
  res: ServerResponse,
  reading: BodyReading,
  left: (req: IncomingMessage) => LeftByParser,
): Promise<ReceivedBody> {
  // A promise chain, not an async function: this runs for every notification, and each async layer allocates a frame and a promise.
  try {
    if (!isConsumed(req)) return reading.readRaw(req, res).then(asReceived);
    const kept = left(req);
    return Promise.resolve(kept.raw !== undefined ? { raw: kept.raw } : { raw: undefined, parsed: kept.parsed });
  } catch (error) {
    return Promise.reject(error);
  }
}

function asReceived(raw: Buffer): ReceivedBody {
  return { raw };
}

/** What body-parser (Express) leaves: `req.rawBody` (its `verify`), or a text/raw parser's `req.body`. */
export function leftByBodyParser(req: IncomingMessage): LeftByParser {
  const { rawBody, body } = req as { rawBody?: Buffer | string; body?: unknown };
  return { raw: rawBody ?? (typeof body === 'string' || Buffer.isBuffer(body) ? body : undefined), parsed: body };
}

/** Only a stream that has ended was read: Express 4's parsers set `req.body = {}` without reading. */
function isConsumed(req: IncomingMessage): boolean {
  return req.readableEnded;
}
