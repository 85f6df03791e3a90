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
