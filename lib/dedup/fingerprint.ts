import { createHash } from 'node:crypto';
import type { JsonValue } from '../body/fields';

/**
 * A short digest of a parsed JSON value that depends only on its content:
 * object keys are sorted at every level (array order is kept: it is content),
 * so key order and whitespace in the body never make the same notification
 * look new. It works on parsed fields because the raw text is not always
 * there (a global express.json() may have consumed it).
 */
export function fingerprint(value: JsonValue): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex').slice(0, 32);
}

function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const names = Object.keys(value).sort();
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    out += `${i === 0 ? '' : ','}${JSON.stringify(names[i])}:${canonicalJson(value[names[i]])}`;
  }
  return `${out}}`;
}
