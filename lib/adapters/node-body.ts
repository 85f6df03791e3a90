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
export async function receivedNodeBody(
  req: IncomingMessage,
  res: ServerResponse,
  reading: BodyReading,
  left: (req: IncomingMessage) => LeftByParser,
): Promise<ReceivedBody> {
  if (!isConsumed(req)) return { raw: await reading.readRaw(req, res) };
  const kept = left(req);
  return kept.raw !== undefined ? { raw: kept.raw } : { raw: undefined, parsed: kept.parsed };
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
