import { WebhookError } from '../core/errors';
import { assertAllowedKey, assertNotReserved, assertWellFormed, MAX_DEPTH, type Fields } from './fields';

/**
 * JSON.parse keeps the last of two equal keys, so a signature could be checked
 * over one value while the handler sees another. We count key tokens in the
 * text and properties in the result: a difference is a repeated key.
 */
export function parseJsonObject(text: string, decodedFromUtf8 = false): Fields {
  // Text a fatal UTF-8 decoder gave is well-formed already: valid UTF-8 cannot encode a lone surrogate.
  if (!decodedFromUtf8) assertWellFormed(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WebhookError('BODY_MALFORMED', 'The body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new WebhookError('BODY_INVALID', 'The JSON body must be an object.');
  }
  // Well-formed text parses to well-formed keys and strings unless a \u escape wrote a lone surrogate.
  const checkStrings = text.includes('\\u');
  const properties = dropPrototypes(parsed, MAX_DEPTH, checkStrings);
  if (properties !== keyTokenBound(text) && properties !== countKeyTokens(text)) {
    throw new WebhookError('BODY_MALFORMED', 'The JSON body repeats a key.');
  }
  return parsed as Fields;
}

/**
 * Gives every object in a fresh JSON.parse result a null prototype, in place,
 * and returns how many keys they hold. In place rather than copied into
 * Object.create(null) objects: no second allocation, and V8 keeps these
 * objects' fast properties (a property-by-property copy turns them into slow
 * dictionaries). Arrays keep Array.prototype: their keys are indices.
 * With `checkStrings`, keys and string values are refused unless well-formed
 * (without it, all of them are: see parseJsonObject).
 */
function dropPrototypes(value: object, depthLeft: number, checkStrings: boolean): number {
  if (depthLeft === 0) throw new WebhookError('BODY_MALFORMED', `The JSON body is nested deeper than ${MAX_DEPTH} levels.`);
  let keys = 0;
  if (Array.isArray(value)) {
    for (const item of value) keys += visitChild(item, depthLeft, checkStrings);
    return keys;
  }
  // First, so that for-in sees own keys only (even if something polluted Object.prototype).
  Object.setPrototypeOf(value, null);
  for (const key in value) {
    if (checkStrings) assertAllowedKey(key);
    else assertNotReserved(key);
    keys++;
    keys += visitChild((value as Record<string, unknown>)[key], depthLeft, checkStrings);
  }
  return keys;
}

function visitChild(child: unknown, depthLeft: number, checkStrings: boolean): number {
  if (child !== null && typeof child === 'object') return dropPrototypes(child, depthLeft - 1, checkStrings);
  if (checkStrings && typeof child === 'string') assertWellFormed(child);
  return 0;
}

/**
 * At least the number of key tokens in valid JSON, counted far faster than
 * they are: an object of m members holds m - 1 commas of its own, so the key
 * tokens number at most the text's commas plus its '{'s, wherever those
 * stand. The properties never outnumber the key tokens, so when they reach
 * this bound they equal the key tokens and no key repeats. A comma or brace
 * inside a string value only raises the bound, and then the exact count
 * below decides.
 */
function keyTokenBound(text: string): number {
  return occurrences(text, ',') + occurrences(text, '{');
}

function occurrences(text: string, char: string): number {
  let count = 0;
  for (let i = text.indexOf(char); i !== -1; i = text.indexOf(char, i + 1)) count++;
  return count;
}

/** Counts strings followed by ':' in text already known to be valid JSON. */
function countKeyTokens(text: string): number {
  let count = 0;
  let i = text.indexOf('"');
  while (i !== -1) {
    let end = text.indexOf('"', i + 1);
    while (end !== -1 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
    if (end === -1) break;
    let next = end + 1;
    let c = text.charCodeAt(next);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++next);
    if (c === 0x3a) count++;
    i = text.indexOf('"', next);
  }
  return count;
}

function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  for (let j = quote - 1; text.charCodeAt(j) === 0x5c; j--) backslashes++;
  return backslashes % 2 === 1;
}
