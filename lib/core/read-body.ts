import type { ServerResponse } from 'node:http';
import { formatFor, type BodyFormat } from '../body/content-type';
import { fromParsedBody, type Fields } from '../body/fields';
import { parseForm } from '../body/form';
import { parseJsonObject } from '../body/json';
import type { RawBodyReader } from '../body/read-raw-body';
import { parseXmlResponse } from '../body/xml';
import { WebhookError } from './errors';
import type { WebhookRequest } from './options';
import type { ParsedBody, ProviderSpec } from './provider-spec';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses body text by format; every parser gives null-prototype fields. */
function parseBodyText(format: BodyFormat, text: string): Fields {
  if (format === 'json') return parseJsonObject(text);
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
 * works with what it left: `req.rawBody` when present, else (for providers
 * that sign fields, not bytes) the parsed fields. Never waits on a stream that
 * has already been read: that is how other webhook middlewares hang.
 */
export async function readParsedBody(
  spec: ProviderSpec<never>,
  req: WebhookRequest,
  res: ServerResponse,
  readRaw: RawBodyReader,
): Promise<ParsedBody> {
  const format = formatFor(req.headers['content-type'], spec.mediaTypes);
  const raw = isConsumed(req) ? keptBytes(req) : await readRaw(req, res);
  if (raw !== undefined) {
    const text = typeof raw === 'string' ? raw : decodeUtf8(raw);
    return { format, text, fields: parseBodyText(format, text) };
  }
  if (spec.needsRawBody) {
    throw new WebhookError(
      'CONFIGURATION',
      `The ${spec.provider} signature covers the raw body, but another body parser (e.g. a global express.json()) ` +
        'consumed it first. Mount this middleware before that parser, or keep the bytes: ' +
        'express.json({ verify: (req, res, buf) => { req.rawBody = buf } }).',
    );
  }
  if (req.body === undefined) {
    throw new WebhookError(
      'CONFIGURATION',
      'The request body was consumed before this middleware ran and nothing it left can be verified. Mount this middleware before other body readers.',
    );
  }
  return { format, text: undefined, fields: fromParsedBody(req.body) };
}

/** What an earlier parser left of the exact body: `req.rawBody`, or a text/raw parser's `req.body`. */
function keptBytes(req: WebhookRequest): Buffer | string | undefined {
  return req.rawBody ?? (typeof req.body === 'string' || Buffer.isBuffer(req.body) ? req.body : undefined);
}

/** Only a stream that has ended was read: Express 4's parsers set `req.body = {}` without reading. */
function isConsumed(req: WebhookRequest): boolean {
  return req.readableEnded;
}
