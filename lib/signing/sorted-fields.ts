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
  return writeInOrder(fields, orderOf(Object.keys(fields), options.exclude), options.skipEmpty);
}

/** A body's signed names in signing order, each with its two pieces: `name=` first, `&name=` after. */
interface SigningOrder {
  /** The body's keys as Object.keys gave them, which this order was made for. */
  readonly keys: readonly string[];
  readonly names: readonly string[];
  readonly first: readonly string[];
  readonly later: readonly string[];
}

function orderOf(keys: readonly string[], exclude: ReadonlySet<string>): SigningOrder {
  const sorted = sortCodeUnitOrder(keys.filter((name) => !exclude.has(name)));
  const first: string[] = [];
  const later: string[] = [];
  for (const name of sorted) {
    first.push(`${name}=`);
    later.push(`&${name}=`);
  }
  return { keys, names: sorted, first, later };
}

function writeInOrder(fields: FlatFields, order: SigningOrder, skipEmpty: boolean): CanonicalString {
  const { names, first, later } = order;
  const used: string[] = [];
  let text = '';
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const value = phpString(fields[name]);
    if (skipEmpty && value === '') continue;
    text += used.length === 0 ? first[i] : later[i];
    text += value;
    used.push(name);
  }
  return { text, fields: used };
}

/**
 * The signing orders last made for each signing, looked up by the body's key
 * sequence. A provider sends its fields in the same order every time, so the
 * sort, the exclusions and the name checks are done once per sequence, not
 * once per notification. A sequence is compared in one pass of its keys
 * (JSON.parse interns the keys it gives, so there each comparison is one
 * pointer's). Bounded: a few orders per signing, kept only for bodies of at
 * most 64 names of at most 64 characters.
 */
const ORDERS = new WeakMap<SortedSigning, SigningOrder[]>();
const MAX_ORDERS = 8;
const MAX_ORDER_NAMES = 64;
/**
 * Names are the sender's, checked before any signature: without this bound,
 * bodies of a few made-up names of megabytes each would stay held for the
 * life of the process.
 */
const MAX_KEPT_NAME_LENGTH = 64;

/** The body's signing order under `signing`, its names checked (BODY_INVALID) unless this key sequence passed before. */
function checkedOrderOf(fields: FlatFields, signing: SortedSigning): SigningOrder {
  const keys = Object.keys(fields);
  let kept = ORDERS.get(signing);
  if (kept === undefined) ORDERS.set(signing, (kept = []));
  for (const order of kept) if (sameKeys(order.keys, keys)) return order;
  assertFieldNames(fields, signing.names);
  const order = orderOf(keys, signing.exclude);
  if (keys.length <= MAX_ORDER_NAMES && keys.every((name) => name.length <= MAX_KEPT_NAME_LENGTH)) {
    // The newest first; the oldest goes when the list is full.
    if (kept.unshift(order) > MAX_ORDERS) kept.length = MAX_ORDERS;
  }
  return order;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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

/**
 * The names a provider gives its fields, and the separator a signed value
 * must therefore never contain (see assertUnambiguousValue).
 */
export interface FieldNameSyntax {
  /** Matches a whole field name. */
  name: RegExp;
  /** Finds every `&<name>=` in a value, the name captured (global). */
  separators: RegExp;
  /** The syntax in words, for error messages. */
  description: string;
}

/**
 * ASCII letters, digits and `_`: every field name Pay247 (`out_order_no`,
 * `mch_order_no`), the crypto gateway (`fromaddr`) and PingPong
 * (`subClientId`) document.
 */
export const WORD_FIELD_NAMES: FieldNameSyntax = {
  name: /^[A-Za-z0-9_]+$/,
  separators: /&([A-Za-z0-9_]+)=/g,
  description: 'ASCII letters, digits and _',
};

/** How a provider signs its sorted `k=v&…` string, for verifySortedFields. */
export interface SortedSigning {
  /** Field names left out of the string (the signature itself). */
  exclude: ReadonlySet<string>;
  /** What the provider's field names look like: any other name is refused. */
  names: FieldNameSyntax;
  /** Which form is tried first: empty values dropped (true) or kept. */
  dropEmptyFirst: boolean;
}

/**
 * The fields a signature covers, when `signs(text)` accepts one of the two
 * forms of the sorted string (empty values dropped or kept: providers differ,
 * and their documents rarely say); undefined when neither form matches. The
 * second form is built only where it differs and the first did not match.
 *
 * The invariant: a signed string has exactly one accepted reading. Nothing
 * escapes '&' or '=' in a `k=v&k=v` string, so it holds only because every
 * name is of the provider's syntax (refused otherwise, before any digest:
 * BODY_INVALID) and no signed value of a field `f` contains `&<n>=` for a
 * name `n` of that syntax sorting after `f` (refused after the match:
 * SIGNATURE_AMBIGUOUS). Why that suffices: take two bodies that write the
 * same string and the first place where their splits differ. There one body
 * starts a field `n`, and both have the same field `g` before it; the first
 * body is sorted, so `g < n`; in the other, `g`'s value runs on through
 * "&n=", which is refused. So of all the field sets that write one string at
 * most one is accepted. Which form matched changes only which empty fields
 * appear, so two accepted bodies for one signature differ by empty fields at
 * most ("", null, false: under the skip-empty form adding or dropping them
 * keeps the string), never by a non-empty value. The secret after the fields
 * (bare, or `&key=<secret>`) is fixed and known here, so it cannot shift the
 * split. A value holding `&<n>=` with `n` sorting before its own field (a
 * receipt URL's `?w=200&h=100` in `receipt`) has no second reading, since the
 * split would be out of order, and is accepted.
 *
 * What no receiver can close: a provider that signs a value of `f` holding
 * `&word=` with `word` after `f` (a payee named "Bob&account_nb=1") has signed
 * a string whose one accepted reading is the split one. The genuine
 * notification is refused; the split ({account_name: "Bob", account_nb: "1",
 * …}) verifies, being a field set the provider could equally have sent. It
 * shortens that one value and adds only fields the notification lacked whose
 * names sort between it and the next field; every other field keeps its
 * signed value.
 */
export function verifySortedFields(fields: FlatFields, signing: SortedSigning, signs: (text: string) => boolean): string[] | undefined {
  const { exclude, dropEmptyFirst, names } = signing;
  const order = checkedOrderOf(fields, signing);
  let match: CanonicalString | undefined = writeInOrder(fields, order, dropEmptyFirst);
  if (!signs(match.text)) {
    match = hasEmptyValue(fields, exclude) ? writeInOrder(fields, order, !dropEmptyFirst) : undefined;
    if (match === undefined || !signs(match.text)) return undefined;
  }
  for (const name of match.fields) assertUnambiguousValue(name, phpString(fields[name]), names);
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
 * A name outside the provider's syntax is something it never sends, and the
 * means of a forgery: `{"zz=&status": "2"}` writes "zz=&status=2", so one
 * genuine value holding "&status=2&zz=" lends its signature to another
 * reading. Refused outright as a malformed notification, signed or not.
 */
export function assertFieldNames(fields: Readonly<Record<string, unknown>>, syntax: FieldNameSyntax): void {
  for (const name in fields) {
    if (!syntax.name.test(name)) {
      throw new WebhookError('BODY_INVALID', `A field name holds characters this provider never uses in names (only ${syntax.description}).`);
    }
  }
}

/**
 * A signed value holding `&<n>=` can read as two fields: {a: "1&b=9"} and
 * {a: "1", b: "9"} sign alike, so whoever holds such a genuine notification
 * could re-split or merge its fields. Only a name sorting after the field's
 * own can start a second reading (the fields of a signed string are in
 * order), and then it is refused for every name of the syntax, not just the
 * provider's documented ones: `&zz=` splits as well. The message names the
 * field, never its value.
 */
export function assertUnambiguousValue(name: string, value: string, syntax: FieldNameSyntax): void {
  if (value.indexOf('&') === -1) return;
  for (const [, next] of value.matchAll(syntax.separators)) {
    if (next > name) {
      throw new WebhookError('SIGNATURE_AMBIGUOUS', `Field "${name}" holds "&<name>=", which the signature cannot tell apart from a separate field.`);
    }
  }
}
