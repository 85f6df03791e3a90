import type { IncomingMessage, ServerResponse } from 'node:http';
import bodyParser from 'body-parser';
import { WebhookError, type WebhookErrorCode } from '../core/errors';

export interface RawBodyReaderOptions {
  /** Max body size after inflation: bytes, or a string such as '64kb'. */
  limit: number | string;
  /** How long the whole body may take to arrive. */
  timeoutMs: number;
}

export type RawBodyReader = (req: IncomingMessage, res: ServerResponse) => Promise<Buffer>;

/**
 * Reads the body bytes with body-parser (limit applied after gzip/deflate/br
 * inflation, so a compression bomb is a 413), under a timeout that body-parser
 * does not have: a body dribbled in byte by byte is cut off, not waited for.
 */
export function createRawBodyReader(options: RawBodyReaderOptions): RawBodyReader {
  const parse = bodyParser.raw({ type: () => true, limit: options.limit, inflate: true });
  return (req, res) =>
    new Promise<Buffer>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(new WebhookError('BODY_TIMEOUT', `The body did not arrive within ${options.timeoutMs} ms.`));
      }, options.timeoutMs);
      parse(req, res, (err?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(translateReadError(err));
        else resolve(Buffer.isBuffer((req as { body?: unknown }).body) ? (req as unknown as { body: Buffer }).body : EMPTY);
      });
    });
}

const EMPTY = Buffer.alloc(0);

const READ_ERRORS: Record<string, [WebhookErrorCode, string]> = {
  'entity.too.large': ['BODY_TOO_LARGE', 'The body is larger than the configured limit.'],
  'encoding.unsupported': ['UNSUPPORTED_MEDIA_TYPE', 'The Content-Encoding is not supported.'],
  'charset.unsupported': ['UNSUPPORTED_MEDIA_TYPE', 'The charset is not supported.'],
  'request.aborted': ['BODY_MALFORMED', 'The client aborted the request before the body was complete.'],
  'request.size.invalid': ['BODY_MALFORMED', 'The body length does not match Content-Length.'],
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
  return new WebhookError('BODY_MALFORMED', 'The body could not be read.', { cause: err });
}
