/**
 * The invariant of sorted `k=v&k=v` signatures: a signed string has exactly
 * one reading. For random genuine field sets whose names and values may hold
 * '&', '=' and names (of their own fields or any other), every field set that
 * signs to the same string is fed through the real parser and the provider's
 * authenticate. What must hold:
 *  - at most one of them is accepted, up to empty fields (under the skip-empty
 *    form adding or dropping "" / null fields keeps the string; the handler
 *    never sees a non-empty value that another accepted reading lacks);
 *  - the accepted one holds no value of a field f with "&<n>=" for a name n
 *    sorting after f (it is the string's only unambiguous reading);
 *  - a genuine set with well-formed names and such values is that one: accepted.
 */
import fc from 'fast-check';
import type { BodyFormat } from '../../lib/body/content-type';
import type { Fields, FlatFields } from '../../lib/body/fields';
import { parseForm } from '../../lib/body/form';
import { parseJsonObject } from '../../lib/body/json';
import { parseXmlResponse } from '../../lib/body/xml';
import type { ProviderSpec } from '../../lib/core/provider-spec';
import { cryptoGatewaySpec } from '../../lib/providers/crypto-gateway';
import { pay247Spec } from '../../lib/providers/pay247';
import { pingPongKybSigningString, pingPongKybSpec } from '../../lib/providers/pingpong-kyb';
import { signCryptoGateway, signPay247, signPingPongKyb } from '../../lib/testing';
import { encodeForm, encodeXmlResponse } from '../../lib/testing/notification';
import { samplePay247CurrentFields } from '../../lib/testing/pay247';
import { sortedFieldString } from '../../lib/signing/sorted-fields';
import { isJavaBlank } from '../../lib/signing/java-text';
import { nonEmptyContent, readingsOf, toFields } from '../helpers/readings';

const SECRET = 'one-reading-secret';
const SIGN = new Set(['sign']);
const WORD = /^[A-Za-z0-9_]+$/;
const SEPARATORS = /&([A-Za-z0-9_]+)=/g;

/** Whether the value of field `name` holds "&<n>=" for a name n sorting after it: the start of a second reading. */
function splits(name: string, value: string): boolean {
  return [...value.matchAll(SEPARATORS)].some(([, next]) => next > name);
}

type Body = Record<string, string>;

function encode(format: BodyFormat, fields: Body): string {
  if (format === 'json') return JSON.stringify(fields);
  if (format === 'form') return encodeForm(fields);
  return encodeXmlResponse(fields);
}

function parse(format: BodyFormat, text: string): Fields {
  if (format === 'json') return parseJsonObject(text);
  if (format === 'form') return parseForm(text);
  return parseXmlResponse(text);
}

/** Through the real parser and the provider's authenticate: true when the signature layer lets it through. */
function accepts(spec: ProviderSpec<never>, format: BodyFormat, fields: Body, headers: Record<string, string> = {}): boolean {
  try {
    const text = encode(format, fields);
    spec.authenticate({ format, text, fields: parse(format, text) }, { headers, url: '/' }, spec.credentials!({ secret: SECRET }));
    return true;
  } catch {
    return false;
  }
}

/** Names a provider would use, names of other fields, names of any word syntax, and names no provider uses. */
const POOL = ['a', 'amount', 'b', 'bank_name', 'status', 'x1', 'zz', 'Z', '_'];
const wordName = fc.oneof(fc.constantFrom(...POOL), fc.stringMatching(/^[A-Za-z0-9_]{1,3}$/));
const anyName = fc.oneof({ weight: 6, arbitrary: wordName }, { weight: 1, arbitrary: fc.constantFrom('a[b]', 'b=c', 'c&d', 'é', '') });
const fragment = fc.oneof(
  fc.constantFrom('x', '1', '&', '=', ' ', ''),
  wordName.map((name) => `&${name}=`),
  wordName.map((name) => `&${name}`),
  wordName,
);
const value = fc.array(fragment, { maxLength: 3 }).map((parts) => parts.join(''));

/** Well-formed names (XML names also cannot start with a digit) and no value that starts a second reading. */
function isClean(fields: Body, format: BodyFormat): boolean {
  const nameOk = (name: string) => WORD.test(name) && (format !== 'xml' || !/^[0-9]/.test(name));
  return Object.keys(fields).every(nameOk) && Object.entries(fields).every(([name, v]) => !splits(name, v));
}

/**
 * Feeds the genuine set and every reading of `signedText` (plus `variants` of
 * each: e.g. padded values) to `accepted`, and checks the invariant. `clean`:
 * the genuine set has well-formed names and no value that starts a second reading.
 */
function checkOneReading(options: {
  genuine: Body;
  clean: boolean;
  signedText: string;
  /** Whether the signature layer lets the fields through; or the fields as the handler then gets them. */
  accepted: (fields: Body) => boolean | Body;
  exclude: ReadonlySet<string>;
  variants?: (fields: Body) => Body[];
  canSign?: (name: string) => boolean;
  /** The genuine fields as signed, where the handler gets them so (default: the genuine fields). */
  signedAs?: Body;
}): void {
  const { genuine, signedText, accepted, exclude } = options;
  const contents = new Set<string>();
  for (const fields of [genuine, ...readingsOf(signedText, options.canSign).map(toFields)]) {
    for (const candidate of [fields, ...(options.variants?.(fields) ?? [])]) {
      const result = accepted(candidate);
      if (result === false) continue;
      const handled = result === true ? candidate : result;
      contents.add(nonEmptyContent(handled, exclude));
      for (const [name, v] of Object.entries(handled)) expect(splits(name, v)).toBe(false);
    }
  }
  expect(contents.size).toBeLessThanOrEqual(1);
  expect(accepted(genuine) !== false).toBe(options.clean);
  if (options.clean) expect([...contents]).toEqual([nonEmptyContent(options.signedAs ?? genuine, exclude)]);
}

const RUNS = { numRuns: 100 };
// xml2js refusing a name that is not XML is slow (most readings have one): fewer runs, the same generator.
const XML_RUNS = { numRuns: 30 };

describe('a signed string has exactly one reading', () => {
  describe.each(['json', 'form'] as const)('Pay247 (%s)', (format) => {
    const spec = pay247Spec() as ProviderSpec<never>;
    test('every other field set that signs alike is refused', () => {
      fc.assert(
        fc.property(fc.dictionary(anyName, value, { minKeys: 1, maxKeys: 4 }), fc.boolean(), (genuine, keepEmpty) => {
          fc.pre(!('sign' in genuine));
          const sign = signPay247(genuine, SECRET, { keepEmpty });
          const signedText = sortedFieldString(genuine as FlatFields, { exclude: SIGN, skipEmpty: !keepEmpty }).text;
          checkOneReading({ genuine, clean: isClean(genuine, format), signedText, exclude: SIGN, accepted: (fields) => accepts(spec, format, { ...fields, sign }) });
        }),
        RUNS,
      );
    });
  });

  describe.each(['payout', 'payin'] as const)('Pay247 current API (json, %s)', (notification) => {
    const spec = pay247Spec({ notification }) as ProviderSpec<never>;
    // The current API's own names, which sort among each other around '_' (mch_id < mch_order_no), with hostile values in any of them.
    const NAMES = Object.keys(samplePay247CurrentFields(notification));
    const currentValue = fc.array(fc.oneof(fragment, fc.constantFrom(...NAMES).map((name) => `&${name}=`)), { maxLength: 4 }).map((parts) => parts.join(''));
    test('every other field set that signs alike is refused; a clean one is accepted', () => {
      // A few of the sample's fields at a time: every subset of a string's '&' is a reading, so eleven fields would be thousands per run.
      const sampled = fc.subarray(NAMES, { minLength: 1, maxLength: 5 });
      fc.assert(
        fc.property(sampled, fc.dictionary(fc.constantFrom(...NAMES), currentValue, { maxKeys: 2 }), fc.dictionary(anyName, value, { maxKeys: 1 }), fc.boolean(), (names, hostile, extra, keepEmpty) => {
          fc.pre(!('sign' in extra));
          const sample = samplePay247CurrentFields(notification);
          const genuine: Body = { ...Object.fromEntries(names.map((name) => [name, String(sample[name])])), ...extra, ...hostile };
          const sign = signPay247(genuine, SECRET, { keepEmpty });
          const signedText = sortedFieldString(genuine as FlatFields, { exclude: SIGN, skipEmpty: !keepEmpty }).text;
          checkOneReading({ genuine, clean: isClean(genuine, 'json'), signedText, exclude: SIGN, accepted: (fields) => accepts(spec, 'json', { ...fields, sign }) });
        }),
        RUNS,
      );
    });
  });

  describe.each(['form', 'json', 'xml'] as const)('crypto gateway (%s)', (format) => {
    const spec = cryptoGatewaySpec() as ProviderSpec<never>;
    test('every other field set that signs alike is refused', () => {
      fc.assert(
        fc.property(fc.dictionary(anyName, value, { minKeys: 1, maxKeys: 4 }), fc.boolean(), (genuine, skipEmpty) => {
          fc.pre(!('sign' in genuine) && !('key' in genuine));
          const sign = signCryptoGateway(genuine, SECRET, { skipEmpty });
          const signedText = sortedFieldString(genuine as FlatFields, { exclude: SIGN, skipEmpty }).text;
          checkOneReading({ genuine, clean: isClean(genuine, format), signedText, exclude: SIGN, accepted: (fields) => accepts(spec, format, fields, { sign }) });
        }),
        format === 'xml' ? XML_RUNS : RUNS,
      );
    });
  });

  describe('PingPong KYB (json, five signed fields, salt first, values trimmed or as sent)', () => {
    const spec = pingPongKybSpec() as ProviderSpec<never>;
    const FIVE = ['bizId', 'bizType', 'institutionId', 'signType', 'subClientId'];
    const pingPongValue = fc.array(fc.oneof(fragment, fc.constantFrom('\u3000', '\t', '\u00a0'), fc.constantFrom(...FIVE).map((name) => `&${name}=`)), { maxLength: 4 }).map((parts) => parts.join(''));
    // Only the five are signed: other fields are outside the signed string, so the candidates carry only them.
    const notSigned: ReadonlySet<string> = new Set();
    const onlyFive = (fields: Body): Body => Object.fromEntries(Object.entries(fields).filter(([name]) => FIVE.includes(name)));
    const padded = (fields: Body): Body[] => Object.keys(fields).flatMap((name) => [{ ...fields, [name]: ` ${fields[name]}` }, { ...fields, [name]: `${fields[name]}\u3000` }]);
    /** Through the real parser and authenticate: the five as the handler then gets them, or false. */
    const handled = (fields: Body, sign: string): Body | false => {
      const text = JSON.stringify({ ...onlyFive(fields), status: 'PASS', sign });
      const body = { format: 'json' as const, text, fields: parseJsonObject(text) };
      try {
        spec.authenticate(body, { headers: {}, url: '/' }, spec.credentials!({ secret: SECRET }));
      } catch {
        return false;
      }
      return onlyFive(body.fields as Body);
    };
    test('every other set of signed values that signs alike is refused or reaches the handler as signed, padded values too', () => {
      fc.assert(
        fc.property(
          fc.record({ bizId: pingPongValue, bizType: pingPongValue, institutionId: pingPongValue, subClientId: pingPongValue }, { requiredKeys: [] }),
          fc.boolean(),
          fc.constantFrom('trimmed', 'untrimmed' as const),
          (five, md5, form) => {
            const genuine: Body = md5 ? { ...five, signType: 'MD5' } : { ...five };
            const sign = signPingPongKyb(genuine, SECRET, { form });
            const signing = pingPongKybSigningString(genuine as Fields, form);
            const signedAs = Object.fromEntries(signing.fields.map((name, i) => [name, signing.values[i]]));
            const clean = Object.entries(genuine).every(([name, v]) => (v === '' || !isJavaBlank(v)) && !splits(name, v));
            checkOneReading({
              genuine,
              clean,
              signedText: signing.text,
              exclude: notSigned,
              accepted: (fields) => handled(fields, sign),
              variants: padded,
              canSign: (name) => FIVE.includes(name),
              signedAs,
            });
          },
        ),
        RUNS,
      );
    });
  });

  test('the case the mutation "only documented names" misses: a value holding "&<undocumented name>="', () => {
    const spec = pay247Spec() as ProviderSpec<never>;
    const genuine = { account_name: 'Bob&account_nb=1', account_no: '6228', status: '3' };
    const sign = signPay247(genuine, SECRET);
    const resplit = { account_name: 'Bob', account_nb: '1', account_no: '6228', status: '3' };
    expect(signPay247(resplit, SECRET)).toBe(sign);
    expect([accepts(spec, 'json', { ...genuine, sign }), accepts(spec, 'json', { ...resplit, sign })]).toEqual([false, true]);
  });
});
