import { WebhookError } from '../core/errors';
import type { FlatFields } from '../body/fields';

export interface CanonicalOptions {
  /** Field names left out of the string (the signature itself). */
  exclude: ReadonlySet<string>;
  /** Drop fields whose value is "" or null, as most PHP signers do. */
  skipEmpty: boolean;
}

export interface CanonicalString {
  text: string;
  /** The fields that went into `text`, in order. */
  fields: string[];
}

/**
 * `k=v&k=v` over the fields sorted by key (code unit order = ASCII order for
 * the keys providers use), values written as the provider's PHP writes them.
 */
export function sortedFieldString(fields: FlatFields, options: CanonicalOptions): CanonicalString {
  const names = Object.keys(fields).sort();
  const used: string[] = [];
  let text = '';
  for (const name of names) {
    if (options.exclude.has(name)) continue;
    const value = phpString(fields[name]);
    if (options.skipEmpty && value === '') continue;
    text += (used.length === 0 ? '' : '&') + name + '=' + value;
    used.push(name);
  }
  return { text, fields: used };
}

export function hasEmptyValue(fields: FlatFields, exclude: ReadonlySet<string>): boolean {
  for (const name in fields) {
    if (!exclude.has(name) && phpString(fields[name]) === '') return true;
  }
  return false;
}

/** PHP's string conversion: 2 → "2", true → "1", false and null → "". */
export function phpString(value: string | number | boolean | null): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value === true) return '1';
  return '';
}

/**
 * In a `k=v&k=v` scheme nothing escapes '&' or '=' inside values, so one
 * signed string has several readings: {a: "1&amount=9"} and {a: "1", amount: "9"}
 * sign alike. Whoever holds one genuine notification whose value contains
 * "&name=" can re-split or merge fields without breaking the signature. We
 * refuse any signed value that could be read as another field of this
 * notification or of the provider's field list.
 */
export function assertNoSmuggledFields(fields: FlatFields, signed: readonly string[], knownNames: ReadonlySet<string>): void {
  for (const name of signed) {
    const value = fields[name];
    if (typeof value !== 'string' || value.indexOf('&') === -1) continue;
    for (const candidate of [...knownNames, ...signed]) {
      if (value.includes(`&${candidate}=`)) {
        throw new WebhookError('SIGNATURE_AMBIGUOUS', `Field "${name}" holds "&${candidate}=", which the signature cannot tell apart from a separate field.`);
      }
    }
  }
}
