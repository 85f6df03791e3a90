import { formatFor, type BodyFormat } from '../body/content-type';
import { fromParsedBody, type Fields } from '../body/fields';
import { parseForm } from '../body/form';
import { parseJsonObject } from '../body/json';
import { parseXmlResponse } from '../body/xml';
import { WebhookError } from './errors';
import type { ParsedBody, ProviderSpec } from './provider-spec';
import type { BodyReading, ReceivedBody, RequestFacts } from './request-facts';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses body text by format (`decoded`: by the fatal UTF-8 decoder below); every parser gives null-prototype fields. */
function parseBodyText(format: BodyFormat, text: string, decoded: boolean): Fields {
  if (format === 'json') return parseJsonObject(text, decoded);
  if (format === 'form') return parseForm(text);
  return parseXmlResponse(text);
}

function decodeUtf8(bytes: Buffer): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new WebhookError('BODY_MALFORMED', 'The body is not valid UTF-8.');
  }
}

/**
 * Reads and parses the body, or, when another middleware got there first,
 * works with what it left: its copy of the bytes when present, else (for
 * providers that sign fields, not bytes) the parsed fields. The adapters
 * never wait on a stream that has already been read: that is how other
 * webhook middlewares hang.
 */
export function readParsedBody(spec: ProviderSpec<never>, request: RequestFacts<unknown>, reading: BodyReading): Promise<ParsedBody> {
  // A promise chain, not an async function: this runs for every notification, and each async layer allocates a frame and a promise.
  try {
    // Before the body is read: a content type the provider never sends is refused at once.
    const format = formatFor(request.headers['content-type'], spec.mediaTypes);
    return request.body(reading).then((received) => parsedBody(spec, format, received));
  } catch (error) {
    return Promise.reject(error);
  }
}

function parsedBody(spec: ProviderSpec<never>, format: BodyFormat, received: ReceivedBody): ParsedBody {
  const raw = received.raw;
  if (raw !== undefined) {
    const decoded = typeof raw !== 'string';
    const text = decoded ? decodeUtf8(raw) : raw;
    return { format, text, fields: parseBodyText(format, text, decoded) };
  }
  if (spec.needsRawBody) {
    throw new WebhookError(
      'CONFIGURATION',
      `The ${spec.provider} signature covers the raw body, but another body parser (e.g. a global express.json()) ` +
        'consumed it first. Mount this middleware before that parser, or have it keep the bytes: ' +
        'express.json({ verify: (req, res, buf) => { req.rawBody = buf } }) (koa-bodyparser keeps them as ctx.request.rawBody).',
    );
  }
  const parsed = (received as { parsed: unknown }).parsed;
  if (parsed === undefined) {
    throw new WebhookError(
      'CONFIGURATION',
      'The request body was consumed before this middleware ran and nothing it left can be verified. Mount this middleware before other body readers.',
    );
  }
  return { format, text: undefined, fields: fromParsedBody(parsed) };
}
