import type { JsonValue } from '../body/fields';
import { sha256Hex } from '../signing/digest';

/**
 * A short digest of a parsed JSON value that depends only on its content:
 * object keys are sorted at every level (array order is kept: it is content),
 * so key order and whitespace in the body never make the same notification
 * look new. It works on parsed fields because the raw text is not always
 * there (a global express.json() may have consumed it).
 */
export function fingerprint(value: JsonValue): string {
  return sha256Hex(canonicalJson(value)).slice(0, 32);
}

/** Characters JSON.stringify escapes in a string: quotes, backslashes, controls, lone surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify(text), without its cost for the plain strings that are nearly all of them. */
function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

function canonicalJson(value: JsonValue): string {
  if (typeof value === 'string') return quote(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const names = Object.keys(value).sort();
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    out += `${i === 0 ? '' : ','}${quote(names[i])}:${canonicalJson(value[names[i]])}`;
  }
  return `${out}}`;
}
