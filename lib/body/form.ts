import { parse } from 'node:querystring';
import { WebhookError } from '../core/errors';
import { assertAllowedKey, assertWellFormed, type FlatFields } from './fields';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Percent-decoding that notices what is not UTF-8. querystring's own decoder
 * turns bytes that are not UTF-8 (%ED%A0%80, a lone surrogate's encoding;
 * %FF) into U+FFFD, so two different bodies would read, and sign, alike. A
 * '%' not followed by two hex digits stays literal, as before. querystring
 * has already turned '+' into '%20', and it swallows a decoder's exception
 * (falling back to the lossy decoding), hence the flag instead of a throw.
 */
class StrictDecoder {
  invalid = false;

  readonly decode = (text: string): string => {
    if (text.indexOf('%') === -1) return text;
    try {
      return UTF8.decode(percentDecode(text));
    } catch {
      this.invalid = true;
      return '';
    }
  };
}

/** The bytes `%XX` escapes stand for, every other character as its UTF-8 (a stray '%' stays literal). */
function percentDecode(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  let out = 0;
  for (let i = 0; i < bytes.length; i++) {
    const high = bytes[i] === 0x25 ? hexDigit(bytes[i + 1]) : -1;
    const low = high === -1 ? -1 : hexDigit(bytes[i + 2]);
    if (low === -1) {
      bytes[out++] = bytes[i];
    } else {
      bytes[out++] = high * 16 + low;
      i += 2;
    }
  }
  return bytes.subarray(0, out);
}

function hexDigit(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * `application/x-www-form-urlencoded`, parsed flat: `a[b]` is a field named
 * "a[b]", never a nested object, and a repeated key is refused because the
 * signature and the handler must see one and the same value.
 */
export function parseForm(text: string): FlatFields {
  if (text.length === 0) throw new WebhookError('BODY_MALFORMED', 'The form body is empty.');
  assertWellFormed(text);
  // querystring.parse returns a null-prototype object; maxKeys 0 = no silent truncation
  // (the body size limit already bounds the count).
  const decoder = new StrictDecoder();
  const parsed = parse(text, '&', '=', { maxKeys: 0, decodeURIComponent: decoder.decode }) as Record<string, string | string[]>;
  if (decoder.invalid) throw new WebhookError('BODY_MALFORMED', 'The form body percent-encodes bytes that are not UTF-8.');
  for (const key in parsed) {
    assertAllowedKey(key);
    if (typeof parsed[key] !== 'string') {
      throw new WebhookError('BODY_MALFORMED', `The form body repeats the field "${key}".`);
    }
  }
  return parsed as FlatFields;
}
