import path from 'node:path';
import fc from 'fast-check';
import type { FlatFields } from '../../lib/body/fields';
import { sortedFieldString, verifySortedFields, WORD_FIELD_NAMES, type SortedSigning } from '../../lib/signing/sorted-fields';
import { heapHeldAfter } from '../helpers/heap-held';
import { thrownCode } from '../helpers/thrown-code';

/**
 * verifySortedFields keeps the signing order it made for a key sequence and
 * reuses it for the next body with the same keys in the same order. What it
 * signs must never depend on what came before: each body's string is the one
 * sortedFieldString writes for it alone.
 */
const signing = (): SortedSigning => ({ exclude: new Set(['sign']), names: WORD_FIELD_NAMES, dropEmptyFirst: true });

/** The string verifySortedFields offered to `signs` first (empty values dropped), and the fields it reported. */
function offered(fields: FlatFields, how: SortedSigning): { text: string; fields: string[] | undefined } {
  let text = '';
  const signed = verifySortedFields(fields, how, (candidate) => {
    text ||= candidate;
    return true;
  });
  return { text, fields: signed };
}

const bodyOf = (entries: Array<[string, string]>): FlatFields => Object.fromEntries(entries) as FlatFields;

describe('signing orders kept per key sequence', () => {
  test('any sequence of bodies, keys shuffled, repeated or new: each is signed as it would be alone', () => {
    const name = fc.constantFrom('amount', 'order_no', 'status', 'sign', 'remarks', 'mch_id', 'Z_upper', 'fee');
    const body = fc.uniqueArray(fc.tuple(name, fc.constantFrom('1', '', 'x&y', '深圳')), { selector: ([key]) => key, maxLength: 8 });
    fc.assert(
      fc.property(fc.array(body, { minLength: 1, maxLength: 30 }), (bodies) => {
        const how = signing();
        for (const entries of bodies) {
          const fields = bodyOf(entries);
          expect(offered(fields, how).text).toBe(sortedFieldString(fields, { exclude: how.exclude, skipEmpty: true }).text);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('the same names in another order are sorted again, not read off the order kept for the first', () => {
    const how = signing();
    expect(offered(bodyOf([['b', '2'], ['a', '1'], ['sign', 's']]), how).text).toBe('a=1&b=2');
    expect(offered(bodyOf([['a', '1'], ['sign', 's'], ['b', '2']]), how).text).toBe('a=1&b=2');
    expect(offered(bodyOf([['b', '2'], ['c', '3'], ['a', '1']]), how).text).toBe('a=1&b=2&c=3');
  });

  test('a name refused once is refused every time, even next to a sequence that passed', () => {
    const how = signing();
    expect(offered(bodyOf([['amount', '1'], ['status', '2']]), how).fields).toEqual(['amount', 'status']);
    for (let i = 0; i < 3; i++) {
      expect(thrownCode(() => offered(bodyOf([['amount', '1'], ['zz=&status', '2']]), how))).toBe('BODY_INVALID');
    }
    expect(offered(bodyOf([['amount', '1'], ['status', '2']]), how).fields).toEqual(['amount', 'status']);
  });

  test('two signings never share an order: what one leaves out, the other signs', () => {
    const withoutSign = signing();
    const withoutKey: SortedSigning = { exclude: new Set(['key']), names: WORD_FIELD_NAMES, dropEmptyFirst: true };
    const fields = bodyOf([['amount', '1'], ['key', 'k'], ['sign', 's']]);
    expect(offered(fields, withoutSign).text).toBe('amount=1&key=k');
    expect(offered(fields, withoutKey).text).toBe('amount=1&sign=s');
    expect(offered(fields, withoutSign).text).toBe('amount=1&key=k');
  });

  test('the fields reported are the body’s own list, not the order kept: changing it changes nothing later', () => {
    const how = signing();
    const fields = bodyOf([['amount', '1'], ['status', '2']]);
    const first = offered(fields, how).fields!;
    first.push('forged');
    first[0] = 'zzz';
    expect(offered(fields, how)).toEqual({ text: 'amount=1&status=2', fields: ['amount', 'status'] });
  });

  test('past the orders kept (more sequences than it keeps, in turn), every body is still signed right', () => {
    const how = signing();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20; i++) {
        const fields = bodyOf([[`n${i}`, String(i)], ['amount', '1']]);
        expect(offered(fields, how).text).toBe(`amount=1&n${i}=${i}`);
      }
    }
  });
});

describe('the signing orders keep no large body', () => {
  test('20 bodies of one 2 MB name, then 10 of 20,000 short names, leave under 6 MB held; kept, either would hold over 15 MB', () => {
    const setup = `
      const { verifySortedFields, WORD_FIELD_NAMES } = require(${JSON.stringify(path.join(__dirname, '../../dist/signing/sorted-fields'))});
      const how = { exclude: new Set(['sign']), names: WORD_FIELD_NAMES, dropEmptyFirst: true };`;
    const held = heapHeldAfter(
      setup,
      `for (let i = 0; i < 20; i++) {
        const fields = { ['n' + String(i).padStart(4, '0') + 'x'.repeat(2 * 1024 * 1024)]: 'v', amount: '1' };
        verifySortedFields(fields, how, () => false);
      }
      // Bodies of more names than an order is kept for, each name short.
      for (let b = 0; b < 10; b++) {
        const many = {};
        for (let i = 0; i < 20000; i++) many['b' + b + '_' + i] = 'v';
        verifySortedFields(many, how, () => false);
      }`,
    );
    expect(held).toBeLessThan(6 * 1024 * 1024);
  });
});
