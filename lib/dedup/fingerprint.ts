import type { JsonValue } from '../body/fields';
import { sha256Hex } from '../signing/digest';

type JsonObject = { [key: string]: JsonValue };

const NONE: ReadonlySet<string> = new Set();

/**
 * A short digest of a parsed JSON value that depends only on its content, so
 * key order and whitespace in the body never make the same notification look
 * new. It works on parsed fields because the raw text is not always there (a
 * global express.json() may have consumed it). `without`: top-level fields to
 * leave out (those already in the dedup key, or not content, like a signature).
 */
export function fingerprint(value: JsonValue, without: ReadonlySet<string> = NONE): string {
  return sha256Hex(canonicalJson(value, without)).slice(0, 32);
}

/**
 * JSON text of `value` in which every object lists its keys in an order fixed
 * by the keys alone. JSON.stringify follows property order: integer-like keys
 * ascending, then the others in insertion order; inserting them sorted makes
 * the text a function of the content. Native JSON.stringify over a sorted copy
 * (of only the objects not already in order) costs a fraction of building the
 * text key by key in JavaScript.
 */
export function canonicalJson(value: JsonValue, without: ReadonlySet<string> = NONE): string {
  if (without.size === 0 || value === null || typeof value !== 'object' || Array.isArray(value)) return JSON.stringify(inKeyOrder(value));
  return JSON.stringify(sortedCopy(value, Object.keys(value).filter((name) => !without.has(name))));
}

function inKeyOrder(value: JsonValue): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: JsonValue[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = inKeyOrder(value[i]);
      if (item !== value[i]) (copy ??= value.slice())[i] = item;
    }
    return copy ?? value;
  }
  const names = Object.keys(value);
  if (!isSorted(names)) return sortedCopy(value, names);
  // Keys in order: copied only if something below is not, each child walked once.
  let copy: JsonObject | undefined;
  for (let i = 0; i < names.length; i++) {
    const item = inKeyOrder(value[names[i]]);
    if (copy === undefined && item !== value[names[i]]) {
      copy = {};
      for (let j = 0; j < i; j++) put(copy, names[j], value[names[j]]);
    }
    if (copy !== undefined) put(copy, names[i], item);
  }
  return copy ?? value;
}

/** `names` of `value`, sorted, in a new plain object (fast properties, so JSON.stringify's fast path). */
function sortedCopy(value: JsonObject, names: string[]): JsonObject {
  names.sort();
  const copy: JsonObject = {};
  for (const name of names) put(copy, name, inKeyOrder(value[name]));
  return copy;
}

function put(copy: JsonObject, name: string, item: JsonValue): void {
  // On a plain object, assigning "__proto__" would set the prototype and drop the key.
  if (name === '__proto__') Object.defineProperty(copy, name, { value: item, enumerable: true, writable: true, configurable: true });
  else copy[name] = item;
}

function isSorted(names: string[]): boolean {
  for (let i = 1; i < names.length; i++) if (names[i - 1] > names[i]) return false;
  return true;
}
