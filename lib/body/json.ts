import { WebhookError } from '../core/errors';
import { assertAllowedKey, emptyFields, type Fields, type JsonValue } from './fields';

const MAX_DEPTH = 32;

/**
 * JSON.parse keeps the last of two equal keys, so a signature could be checked
 * over one value while the handler sees another. We count key tokens in the
 * text and properties in the result: a difference is a repeated key.
 */
export function parseJsonObject(text: string): Fields {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WebhookError('BODY_MALFORMED', 'The body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new WebhookError('BODY_INVALID', 'The JSON body must be an object.');
  }
  const counter = { keys: 0 };
  const fields = copyWithoutPrototype(parsed, MAX_DEPTH, counter) as Fields;
  if (counter.keys !== countKeyTokens(text)) {
    throw new WebhookError('BODY_MALFORMED', 'The JSON body repeats a key.');
  }
  return fields;
}

function copyWithoutPrototype(value: unknown, depthLeft: number, counter: { keys: number }): JsonValue {
  if (value === null || typeof value !== 'object') return value as JsonValue;
  if (depthLeft === 0) throw new WebhookError('BODY_MALFORMED', `The JSON body is nested deeper than ${MAX_DEPTH} levels.`);
  if (Array.isArray(value)) {
    const out: JsonValue[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyWithoutPrototype(value[i], depthLeft - 1, counter);
    return out;
  }
  const out = emptyFields();
  for (const key of Object.keys(value)) {
    assertAllowedKey(key);
    counter.keys++;
    out[key] = copyWithoutPrototype((value as Record<string, unknown>)[key], depthLeft - 1, counter);
  }
  return out;
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
