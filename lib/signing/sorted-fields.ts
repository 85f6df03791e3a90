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
  const names = sortCodeUnitOrder(Object.keys(fields));
  let text = '';
  let used = 0;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (options.exclude.has(name)) continue;
    const value = phpString(fields[name]);
    if (options.skipEmpty && value === '') continue;
    text += (used === 0 ? '' : '&') + name + '=' + value;
    // The names array doubles as the list of fields used: no second array per notification.
    names[used++] = name;
  }
  names.length = used;
  return { text, fields: names };
}

/**
 * The order of Array.prototype.sort() without a comparator (UTF-16 code
 * units). A notification has a dozen or two fields, where an insertion sort
 * in place is twice as fast and allocates nothing; a hostile body with
 * thousands of fields gets the native O(n log n) sort.
 */
function sortCodeUnitOrder(names: string[]): string[] {
  if (names.length > 32) return names.sort();
  for (let i = 1; i < names.length; i++) {
    const name = names[i];
    let j = i - 1;
    while (j >= 0 && names[j] > name) {
      names[j + 1] = names[j];
      j--;
    }
    names[j + 1] = name;
  }
  return names;
}

/** How a provider signs its sorted `k=v&…` string, for verifySortedFields. */
export interface SortedSigning {
  /** Field names left out of the string (the signature itself). */
  exclude: ReadonlySet<string>;
  /** The provider's field list, for assertNoSmuggledFields. */
  knownNames: ReadonlySet<string>;
  /** Which form is tried first: empty values dropped (true) or kept. */
  dropEmptyFirst: boolean;
}

/**
 * The fields a signature covers, when `signs(text)` accepts one of the two
 * forms of the sorted string (empty values dropped or kept: providers differ,
 * and their documents rarely say), and no signed value could be read as
 * another field; undefined when neither form matches. The second form is
 * built only where it differs and the first did not match.
 */
export function verifySortedFields(fields: FlatFields, signing: SortedSigning, signs: (text: string) => boolean): string[] | undefined {
  const { exclude, dropEmptyFirst } = signing;
  let match: CanonicalString | undefined = sortedFieldString(fields, { exclude, skipEmpty: dropEmptyFirst });
  if (!signs(match.text)) {
    match = hasEmptyValue(fields, exclude) ? sortedFieldString(fields, { exclude, skipEmpty: !dropEmptyFirst }) : undefined;
    if (match === undefined || !signs(match.text)) return undefined;
  }
  assertNoSmuggledFields(fields, match.fields, signing.knownNames);
  return match.fields;
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
