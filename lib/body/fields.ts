import { WebhookError } from '../core/errors';

/** How deeply a body may nest, whichever parser read it. */
export const MAX_DEPTH = 32;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A parsed body: always a null-prototype object, whatever the format. */
export type Fields = Record<string, JsonValue>;

/** A flat body (forms, XML, flat JSON): top-level scalar values only. */
export type FlatFields = Record<string, string | number | boolean | null>;

/**
 * Names that, used as keys, reach the prototype chain of ordinary objects in
 * merchants' code. No provider sends them, so they are refused outright.
 */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function assertAllowedKey(key: string): void {
  assertNotReserved(key);
  assertWellFormed(key);
}

/** The reserved-name half of assertAllowedKey, for a key already known to be well-formed. */
export function assertNotReserved(key: string): void {
  if (FORBIDDEN_KEYS.has(key)) {
    throw new WebhookError('BODY_MALFORMED', `Refused a body with the reserved field name "${key}".`);
  }
}

/** ES2024's String.prototype.isWellFormed (in Node 20; not in the ES2022 lib the build targets): native, a fifth of a /\p{Cs}/u test's cost. */
type MaybeWellFormed = string & { isWellFormed(): boolean };

/** False for a string holding a lone surrogate. */
export function isWellFormed(text: string): boolean {
  return (text as MaybeWellFormed).isWellFormed();
}

/**
 * Refuses a string with a lone surrogate (a JSON "\ud800", a stray half of a
 * pair). Digests run over the UTF-8 conversion, which turns every lone
 * surrogate into U+FFFD: "\ud800" and "\ufffd" would verify alike, and the
 * handler would see a value that was never signed. No provider sends one.
 */
export function assertWellFormed(text: string): void {
  if (!isWellFormed(text)) throw new WebhookError('BODY_MALFORMED', 'The body holds a string that is not well-formed Unicode (a lone surrogate).');
}

/** The field as a non-empty string, or a 400 naming it. */
export function requiredText(fields: Readonly<Record<string, unknown>>, name: string): string {
  const value = fields[name];
  if (typeof value !== 'string' || value === '') throw new WebhookError('BODY_INVALID', `${name} is missing.`);
  return value;
}

export function emptyFields<T = Fields>(): T {
  return Object.create(null) as T;
}

/**
 * Refuses nested values where a provider only ever sends flat fields. A form
 * holds only flat fields; it arrives nested only when an extended parser
 * (qs: Express 4's default `express.urlencoded()`) read it first and nested a
 * bracketed name such as `ext[id]`, a name these providers never send and
 * refuse when they read the form themselves: the same 400 either way.
 */
export function requireFlat(fields: Fields): FlatFields {
  for (const key in fields) {
    const value = fields[key];
    if (value !== null && typeof value === 'object') {
      throw new WebhookError(
        'BODY_INVALID',
        `Field "${key.slice(0, 64)}" must be a single value, not an object or array (in a form: a repeated field, or a bracketed name such as ${key.slice(0, 64)}[…] that an extended body parser nested; the provider sends neither).`,
      );
    }
  }
  return fields as FlatFields;
}

/**
 * Copies a body some other parser produced (a global `express.json()` or
 * `express.urlencoded()`) into the same null-prototype shape our parsers give,
 * refusing what ours would refuse.
 */
export function fromParsedBody(body: unknown): Fields {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) {
    throw new WebhookError('BODY_INVALID', 'The body must be an object of fields.');
  }
  return copyValue(body, MAX_DEPTH) as Fields;
}

function copyValue(value: unknown, depthLeft: number): JsonValue {
  if (value === null || typeof value !== 'object') {
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      throw new WebhookError('BODY_INVALID', 'The body holds a value that is not JSON.');
    }
    if (typeof value === 'string') assertWellFormed(value);
    return value as JsonValue;
  }
  if (depthLeft <= 0) throw new WebhookError('BODY_MALFORMED', 'The body is nested too deeply.');
  if (Array.isArray(value)) return value.map((item) => copyValue(item, depthLeft - 1));
  const out = emptyFields();
  for (const key of Object.keys(value)) {
    assertAllowedKey(key);
    out[key] = copyValue((value as Record<string, unknown>)[key], depthLeft - 1);
  }
  return out;
}
