import { Parser, type ParserOptions } from 'xml2js';
import { WebhookError } from '../core/errors';
import { assertAllowedKey, assertWellFormed, emptyFields } from './fields';

/** A flat XML body: every value is the text of one element. */
export type XmlFields = Record<string, string>;

const ROOT = 'response';
// Neither '@' nor '#' can start an XML name, so no element can collide with them.
const ATTRIBUTES = '@';
const TEXT = '#';

const OPTIONS: ParserOptions = {
  strict: true,
  async: false,
  explicitRoot: true,
  // One element → one string, never a one-item array.
  explicitArray: false,
  // Kept (not ignored) so that an element with attributes can be refused instead of silently read.
  ignoreAttrs: false,
  attrkey: ATTRIBUTES,
  charkey: TEXT,
  // The values are what is signed: no trimming or whitespace normalising of any kind.
  trim: false,
  normalize: false,
  normalizeTags: false,
  emptyTag: '',
};

/** Names an ordinary object already has (__proto__, constructor, toString, …): never assigned to. */
const INHERITED_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * xml2js's parser with its merge step replaced. xml2js stores each child with
 * Object.defineProperty and turns a repeated name into an array, checking the
 * name with `in`, so an element named like an inherited property (toString,
 * constructor) is merged into it. Here a child is stored with a plain
 * assignment only if its name is new and not inherited; otherwise the parse is
 * marked, and the document refused. That is both stricter and cheaper (the
 * defineProperty calls were a fifth of the parse time). Should a later xml2js
 * stop calling it, toFields still refuses arrays, objects and reserved names.
 */
class FlatFieldParser extends Parser {
  repeated: string | undefined;
  reserved: string | undefined;

  /** Called by xml2js (0.6) for every closed child element. */
  assignOrPush(parent: Record<string, unknown>, name: string, value: unknown): void {
    if (INHERITED_NAMES.has(name)) this.reserved ??= name;
    else if (Object.hasOwn(parent, name)) this.repeated ??= name;
    else parent[name] = value;
  }

  override reset(): void {
    super.reset();
    this.repeated = undefined;
    this.reserved = undefined;
  }
}

// Configured once. Parsing is synchronous and calls no code of ours but the
// listeners set per parse, so one parser serves every request in turn.
const parser = new FlatFieldParser(OPTIONS);

/**
 * `<response><k>v</k>…</response>` → a flat null-prototype object of strings.
 *
 * Accepted: elements, text, character references, CDATA (its text taken
 * literally, as XML defines it; PHP and Java senders often wrap every value in
 * one), and a leading `<?xml …?>` declaration that names UTF-8 or no encoding.
 * Refused before parsing: DOCTYPE, ENTITY and every other `<!…>` declaration,
 * comments and processing instructions (none is ever sent; each is a parser
 * feature not worth exercising, and comments and instructions silently split
 * a value's text). Refused after: attributes, repeated or nested elements,
 * text outside the fields, a root other than `<response>`, a second root,
 * empty or truncated documents, and reserved element names.
 */
export function parseXmlResponse(text: string): XmlFields {
  // sax refuses character references to surrogates; this covers the text itself.
  assertWellFormed(text);
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  assertOnlyElementsAndText(text, start);
  return toFields(parseDocument(text));
}

function parseDocument(text: string): object {
  let document: unknown = null;
  let roots = 0;
  let failed = false;
  parser.reset();
  parser.on('end', (result: unknown) => {
    // xml2js emits 'end' once per closed root element: a second one is a second root.
    roots++;
    if (roots === 1) document = result;
  });
  parser.on('error', () => {
    failed = true;
  });
  try {
    parser.parseString(text);
  } catch {
    failed = true;
  }
  if (failed) throw new WebhookError('BODY_MALFORMED', 'The body is not well-formed XML.');
  if (roots > 1) throw new WebhookError('BODY_MALFORMED', 'The XML body has more than one root element.');
  if (parser.reserved !== undefined) {
    throw new WebhookError('BODY_MALFORMED', `Refused a body with the reserved field name "${label(parser.reserved)}".`);
  }
  if (parser.repeated !== undefined) throw new WebhookError('BODY_INVALID', `The XML body repeats the element <${label(parser.repeated)}>.`);
  if (document === null || typeof document !== 'object') throw new WebhookError('BODY_MALFORMED', 'The XML body is empty.');
  return document;
}

function toFields(document: object): XmlFields {
  const [rootName] = Object.keys(document);
  if (rootName !== ROOT) throw new WebhookError('BODY_INVALID', `The XML root element must be <${ROOT}>.`);
  const content: unknown = (document as Record<string, unknown>)[ROOT];
  const fields = emptyFields<XmlFields>();
  if (typeof content === 'string') {
    // <response/>, or whitespace only: no fields (the provider checks will say what is missing).
    if (content.trim() !== '') throw new WebhookError('BODY_INVALID', `<${ROOT}> must hold field elements, not text.`);
    return fields;
  }
  const record = content as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    if (name === ATTRIBUTES) throw new WebhookError('BODY_INVALID', `<${ROOT}> must not have attributes.`);
    if (name === TEXT) throw new WebhookError('BODY_INVALID', `<${ROOT}> must hold only field elements, not text between them.`);
    assertAllowedKey(name);
    const value = record[name];
    if (typeof value !== 'string') throw new WebhookError('BODY_INVALID', describeNonText(name, value));
    fields[name] = value;
  }
  return fields;
}

function describeNonText(name: string, value: unknown): string {
  if (value !== null && typeof value === 'object' && ATTRIBUTES in value) return `The element <${label(name)}> must not have attributes.`;
  return `The element <${label(name)}> must hold text, not other elements.`;
}

/** Element names come from the request: bounded before they reach a log line. */
function label(name: string): string {
  return name.slice(0, 64);
}

/**
 * One pass over the markup before the parser sees it: every `<!` must open a
 * CDATA section and every `<?` must be the XML declaration at the very start.
 * Whitespace after `<` is skipped because sax (under xml2js) skips it too.
 */
function assertOnlyElementsAndText(text: string, start: number): void {
  let at = text.indexOf('<', start);
  while (at !== -1) {
    let next = at + 1;
    while (isXmlSpace(text.charCodeAt(next))) next++;
    const c = text.charCodeAt(next);
    if (c === 0x21 /* ! */) {
      if (next !== at + 1 || !text.startsWith('[CDATA[', next + 1)) {
        throw new WebhookError('BODY_MALFORMED', 'XML declarations (DOCTYPE, ENTITY, …) and comments are refused.');
      }
      const end = text.indexOf(']]>', next + 8);
      if (end === -1) throw new WebhookError('BODY_MALFORMED', 'The body is not well-formed XML.');
      at = text.indexOf('<', end + 3);
      continue;
    }
    if (c === 0x3f /* ? */) {
      if (at !== start || next !== at + 1) throw new WebhookError('BODY_MALFORMED', 'XML processing instructions are refused.');
      next = assertXmlDeclaration(text, at);
    }
    at = text.indexOf('<', next);
  }
}

const XML_DECLARATION = /^<\?xml[ \t\r\n][^<>?]*\?>/;
const ENCODING = /\bencoding[ \t\r\n]*=[ \t\r\n]*["']([^"']*)["']/;

/** Returns where the declaration ends. */
function assertXmlDeclaration(text: string, at: number): number {
  const match = XML_DECLARATION.exec(text.slice(at, at + 200));
  if (match === null) throw new WebhookError('BODY_MALFORMED', 'XML processing instructions are refused.');
  const encoding = ENCODING.exec(match[0])?.[1].toLowerCase();
  if (encoding !== undefined && encoding !== 'utf-8' && encoding !== 'utf8') {
    throw new WebhookError('UNSUPPORTED_MEDIA_TYPE', `Unsupported XML encoding "${encoding.slice(0, 40)}": only UTF-8 is accepted.`);
  }
  return at + match[0].length;
}

function isXmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
