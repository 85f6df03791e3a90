import type { IncomingMessage, ServerResponse } from 'node:http';
import bodyParser from 'body-parser';
import { WebhookError, type WebhookErrorCode } from '../core/errors';

export interface RawBodyReaderOptions {
  /** Max body size after inflation, in bytes (see parseByteLimit). */
  limit: number;
  /** How long the whole body may take to arrive. */
  timeoutMs: number;
}

export type RawBodyReader = (req: IncomingMessage, res: ServerResponse) => Promise<Buffer>;

/**
 * Reads the body bytes under a timeout that body-parser does not have: a
 * body dribbled in byte by byte is cut off, not waited for.
 *
 * What providers send, a plain body with a Content-Length within the limit,
 * is read directly off the stream: Node's HTTP parser already stops at
 * Content-Length, so the limit holds. Everything else (gzip/deflate/br,
 * chunked, a stream someone else touched) goes through body-parser, which
 * applies the limit after inflation, so a compression bomb is a 413. A
 * declared length over the limit is a 413 at once, before any byte is read.
 */
export function createRawBodyReader(options: RawBodyReaderOptions): RawBodyReader {
  const parse = bodyParser.raw({ type: () => true, limit: options.limit, inflate: true });
  const viaBodyParser: RawBodyReader = (req, res) =>
    new Promise<Buffer>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(timeoutError(options.timeoutMs));
      }, options.timeoutMs);
      parse(req, res, (err?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(translateReadError(err));
        else resolve(Buffer.isBuffer((req as { body?: unknown }).body) ? (req as unknown as { body: Buffer }).body : EMPTY);
      });
    });
  return (req, res) => {
    const length = plainDeclaredLength(req);
    if (length === undefined) return viaBodyParser(req, res);
    // Refused at once, unread: body-parser would wait for the whole body to arrive first (to drain it), that is until the read timeout.
    if (length > options.limit) return Promise.reject(new WebhookError(...READ_ERRORS['entity.too.large']));
    return readPlain(req, length, options.timeoutMs);
  };
}

/**
 * A notification's body nearly always arrives in the same packet as its
 * headers. The request handler runs while Node's HTTP parser is still at the
 * end of the headers; a microtask later the rest of that packet is parsed and,
 * when the body was in it, all of it is in the stream's buffer (the parser
 * never buffers more than Content-Length). Then it is taken as is: no
 * listeners, no timer. Anything else is read as it comes.
 */
function readPlain(req: IncomingMessage, length: number, timeoutMs: number): Promise<Buffer> {
  // One microtask later, as an `await` would be, without an async function's frame per notification.
  return AFTER_THIS_MICROTASK.then(() => {
    // Gone during that microtask (its 'close' may already have fired, so listening for it would wait for the timeout).
    if (req.destroyed) throw new WebhookError(...READ_ERRORS['request.aborted']);
    const body = buffered(req, length);
    if (body !== undefined) return keptAsBodyParserDoes(req, body);
    return readDeclared(req, length, timeoutMs).then((read) => keptAsBodyParserDoes(req, read));
  });
}

const AFTER_THIS_MICROTASK = Promise.resolve();

/** As body-parser leaves it, whichever way the body was read. */
function keptAsBodyParserDoes(req: IncomingMessage, body: Buffer): Buffer {
  (req as { body?: unknown }).body = body;
  return body;
}

/** The whole body when it is already in the stream's buffer, else undefined (nothing taken). */
function buffered(req: IncomingMessage, length: number): Buffer | undefined {
  if (req.readableLength !== length || req.readableFlowing !== null) return undefined;
  return length === 0 ? EMPTY : ((req.read(length) as Buffer | null) ?? undefined);
}

/**
 * The Content-Length of an uncompressed, not chunked body on a stream nobody
 * has started reading; undefined for anything else.
 */
function plainDeclaredLength(req: IncomingMessage): number | undefined {
  const { headers } = req;
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding !== '' && encoding.toLowerCase() !== 'identity') return undefined;
  if (headers['transfer-encoding'] !== undefined) return undefined;
  const declared = headers['content-length'];
  if (declared === undefined || !/^\d{1,15}$/.test(declared)) return undefined;
  // Not ended, destroyed or errored (readable), nobody reading it (flowing), no decoder set.
  if (!req.readable || req.readableFlowing !== null || req.readableEncoding !== null) return undefined;
  return Number(declared);
}

/** Collects exactly `length` bytes; an abort, an error or the deadline rejects. */
function readDeclared(req: IncomingMessage, length: number, timeoutMs: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const timer = setTimeout(() => fail(timeoutError(timeoutMs)), timeoutMs);
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    };
    const onEnd = () => {
      if (received !== length) return fail(new WebhookError(...READ_ERRORS['request.size.invalid']));
      stop();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
    };
    const onAbort = (cause?: unknown) => fail(new WebhookError(...READ_ERRORS['request.aborted'], { cause }));
    function stop(): void {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
    }
    function fail(error: WebhookError): void {
      stop();
      // Whatever still arrives is read and dropped, so the connection can close cleanly.
      req.resume();
      reject(error);
    }
    req.on('data', onData);
    req.on('end', onEnd);
    // A client gone mid-body: 'close' without 'end' ('error' first, as we listen for it;
    // 'aborted' too, which the two already cover).
    req.on('error', onAbort);
    req.on('close', onAbort);
  });
}

/** '64kb' → 65536, as body-parser reads it (1 kb = 1024 bytes); undefined when it is not a size. */
export function parseByteLimit(limit: unknown): number | undefined {
  if (typeof limit === 'number') return Number.isFinite(limit) && limit >= 0 ? Math.floor(limit) : undefined;
  if (typeof limit !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?) *(b|kb|mb|gb)?$/i.exec(limit.trim());
  if (match === null) return undefined;
  return Math.floor(Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()]);
}

const UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1 << 10, mb: 1 << 20, gb: 1 << 30 };

const EMPTY = Buffer.alloc(0);

export function timeoutError(timeoutMs: number): WebhookError {
  return new WebhookError('BODY_TIMEOUT', `The body did not arrive within ${timeoutMs} ms.`);
}

/** body-parser's error types, as the codes and messages we answer with (the Fetch reader uses the same). */
export const READ_ERRORS: Readonly<Record<string, [WebhookErrorCode, string]>> = {
  'entity.too.large': ['BODY_TOO_LARGE', 'The body is larger than the configured limit.'],
  'encoding.unsupported': ['UNSUPPORTED_MEDIA_TYPE', 'The Content-Encoding is not supported.'],
  'charset.unsupported': ['UNSUPPORTED_MEDIA_TYPE', 'The charset is not supported.'],
  'request.aborted': ['BODY_MALFORMED', 'The client aborted the request before the body was complete.'],
  'request.size.invalid': ['BODY_MALFORMED', 'The body length does not match Content-Length.'],
  'stream.corrupt': ['BODY_MALFORMED', 'The body could not be read.'],
  'stream.encoding.set': ['CONFIGURATION', 'Another middleware set an encoding on the request stream; mount the webhook middleware before it.'],
  'stream.not.readable': ['CONFIGURATION', 'The request body was already consumed by another middleware; mount the webhook middleware before it.'],
};

function translateReadError(err: unknown): WebhookError {
  const { type, status } = err as { type?: string; status?: number };
  const known = type === undefined ? undefined : READ_ERRORS[type];
  if (known) return new WebhookError(known[0], known[1], { cause: err });
  if (status === 413) return new WebhookError('BODY_TOO_LARGE', READ_ERRORS['entity.too.large'][1], { cause: err });
  if (status === 415) return new WebhookError('UNSUPPORTED_MEDIA_TYPE', 'The Content-Encoding is not supported.', { cause: err });
  // zlib errors from a corrupt gzip stream land here.
  return new WebhookError(...READ_ERRORS['stream.corrupt'], { cause: err });
}
