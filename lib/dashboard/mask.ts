import { SENSITIVE as SGATE_SENSITIVE } from '../providers/sgate';

/**
 * What an entry page may show of an event: card data, SGATE's encrypted (or
 * decrypted) personal fields and signatures are masked wherever they are,
 * `data`, `envelope`, nested objects, and JSON text inside a string (the
 * card-issuing envelope's `event_data` holds the card again).
 */

/** Field names compared lower-case with `_` and `-` removed. */
const CARD_NUMBER_FIELDS = new Set(['cardno', 'cardnumber', 'pan', 'accountnumber']);
const SECRET_FIELDS = new Set([
  'cvv', 'cvv2', 'cvc', 'cvc2', 'cvn', 'csc', 'securitycode', 'pin', 'pinblock', 'expiry', 'expirydate', 'expdate',
  'sign', 'signature', 'sig', 'token', 'secret', 'password', 'apikey', 'privatekey',
  ...SGATE_SENSITIVE.filter((name) => name !== 'cardno'),
]);

export const MASKED = '[masked]';

/**
 * A digit run a card number could be: 14 to 19 digits (spaces or dashes
 * between groups allowed), starting as the card networks' numbers do (2 to
 * 6). Millisecond times (13 digits, starting with 1) are never taken for one.
 */
const CARD_LIKE = /\b[2-6](?:[ -]?\d){13,18}\b/g;

function normalize(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

/** `•••• 4242` for a card number: enough to tell cards apart, not enough to use one. */
function lastFour(value: unknown): string {
  const digits = typeof value === 'string' || typeof value === 'number' ? String(value).replace(/\D/g, '') : '';
  return digits.length >= 8 ? `•••• ${digits.slice(-4)}` : MASKED;
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

/** A card number under a field name nobody listed (a remark, an unknown event) is still masked. */
function maskCardNumbersIn(text: string): string {
  return text.replace(CARD_LIKE, (run) => {
    const digits = run.replace(/\D/g, '');
    return luhnValid(digits) ? lastFour(digits) : run;
  });
}

function maskString(text: string, depth: number): string {
  const trimmed = text.trim();
  if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && depth < MAX_DEPTH) {
    try {
      return JSON.stringify(maskValue(JSON.parse(trimmed), depth + 1));
    } catch {
      // Not JSON after all: masked as text.
    }
  }
  return maskCardNumbersIn(text);
}

const MAX_DEPTH = 32;

function maskValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskString(value, depth);
  if (typeof value === 'number') return maskCardNumbersIn(String(value)) === String(value) ? value : lastFour(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return MASKED;
  if (Array.isArray(value)) return value.map((item) => maskValue(item, depth + 1));
  const out: Record<string, unknown> = Object.create(null);
  for (const [name, field] of Object.entries(value)) {
    const key = normalize(name);
    if (CARD_NUMBER_FIELDS.has(key)) out[name] = lastFour(field);
    else if (SECRET_FIELDS.has(key)) out[name] = field === '' || field === null || field === undefined ? field : MASKED;
    else out[name] = maskValue(field, depth + 1);
  }
  return out;
}

/**
 * A stored error text (a handler's error message, which may quote what it
 * was given) as it may be shown: card numbers in it masked.
 */
export function maskText(text: string): string {
  return maskCardNumbersIn(text);
}

/** A copy of the event that is safe to show: JSON-ready (dates as ISO text), sensitive values masked. */
export function maskForDisplay(event: unknown): unknown {
  return maskValue(event, 0);
}
