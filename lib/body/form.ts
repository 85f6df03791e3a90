import { parse } from 'node:querystring';
import { WebhookError } from '../core/errors';
import { assertAllowedKey, type FlatFields } from './fields';

/**
 * `application/x-www-form-urlencoded`, parsed flat: `a[b]` is a field named
 * "a[b]", never a nested object, and a repeated key is refused because the
 * signature and the handler must see one and the same value.
 */
export function parseForm(text: string): FlatFields {
  if (text.length === 0) throw new WebhookError('BODY_MALFORMED', 'The form body is empty.');
  // querystring.parse returns a null-prototype object; maxKeys 0 = no silent truncation
  // (the body size limit already bounds the count).
  const parsed = parse(text, '&', '=', { maxKeys: 0 }) as Record<string, string | string[]>;
  for (const key in parsed) {
    assertAllowedKey(key);
    if (typeof parsed[key] !== 'string') {
      throw new WebhookError('BODY_MALFORMED', `The form body repeats the field "${key}".`);
    }
  }
  return parsed as FlatFields;
}
