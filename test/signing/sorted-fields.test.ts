import fc from 'fast-check';
import type { FlatFields } from '../../lib/body/fields';
import { assertFieldNames, sortedFieldString, WORD_FIELD_NAMES } from '../../lib/signing/sorted-fields';
import { thrownCode } from '../helpers/thrown-code';

const EXCLUDE = new Set(['sign']);

/** The definition: Array.prototype.sort's order, written out plainly. */
function reference(fields: FlatFields, skipEmpty: boolean): { text: string; fields: string[] } {
  const used = Object.keys(fields)
    .sort()
    .filter((name) => !EXCLUDE.has(name))
    .filter((name) => !(skipEmpty && (fields[name] === '' || fields[name] === null || fields[name] === false)));
  const php = (value: FlatFields[string]) => (value === true ? '1' : value === false || value === null ? '' : String(value));
  return { text: used.map((name) => `${name}=${php(fields[name])}`).join('&'), fields: used };
}

describe('sortedFieldString', () => {
  test('the sample: sorted by key, sign left out, empty values dropped or kept', () => {
    const fields = { status: 2, amount: '100.0000', remarks: '', sign: 'x', B: 'upper sorts first' } as FlatFields;
    expect(sortedFieldString(fields, { exclude: EXCLUDE, skipEmpty: true })).toEqual({
      text: 'B=upper sorts first&amount=100.0000&status=2',
      fields: ['B', 'amount', 'status'],
    });
    expect(sortedFieldString(fields, { exclude: EXCLUDE, skipEmpty: false }).text).toBe('B=upper sorts first&amount=100.0000&remarks=&status=2');
  });

  // Small bodies take an insertion sort, large ones (> 32 fields) the native sort: both must agree with it.
  test.each([
    ['up to 32 fields', 32],
    ['more than 32 fields', 200],
  ])('same text and fields as Array.prototype.sort, %s', (_name, maxKeys) => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
    fc.assert(
      fc.property(fc.dictionary(fc.string(), value, { maxKeys, minKeys: maxKeys > 32 ? 33 : 0 }), fc.boolean(), (fields, skipEmpty) => {
        expect(sortedFieldString(fields as FlatFields, { exclude: EXCLUDE, skipEmpty })).toEqual(reference(fields as FlatFields, skipEmpty));
      }),
      { numRuns: 200 },
    );
  });
});

describe('sortedFieldString through a flood of made-up names', () => {
  test('the same text for a name seen before, a new one, and names after the flood', () => {
    const body = (...names: string[]) => Object.fromEntries(names.map((name, i) => [name, `v${i}&x`])) as FlatFields;
    const early = body('amount', 'order_no', 'status');
    for (const skipEmpty of [true, false]) expect(sortedFieldString(early, { exclude: EXCLUDE, skipEmpty })).toEqual(reference(early, skipEmpty));
    for (let i = 0; i < 300; i++) {
      const flood = body(`flood_${i}`, `flood_${i}_b`);
      expect(sortedFieldString(flood, { exclude: EXCLUDE, skipEmpty: true })).toEqual(reference(flood, true));
    }
    const mixed = body('never_seen', 'order_no', 'flood_299', 'amount', 'z_last');
    for (const skipEmpty of [true, false]) expect(sortedFieldString(mixed, { exclude: EXCLUDE, skipEmpty })).toEqual(reference(mixed, skipEmpty));
    // A first field is written without '&', whichever name it is.
    expect(sortedFieldString(body('flood_299'), { exclude: EXCLUDE, skipEmpty: true }).text).toBe('flood_299=v0&x');
    expect(sortedFieldString(body('amount'), { exclude: EXCLUDE, skipEmpty: true }).text).toBe('amount=v0&x');
  });
});

describe('assertFieldNames judges every name, every time', () => {
  const fieldsNamed = (...names: string[]) => Object.fromEntries(names.map((name) => [name, '1']));

  test('a refused name is refused every time', () => {
    for (let i = 0; i < 3; i++) {
      expect(thrownCode(() => assertFieldNames(fieldsNamed('order_no', 'zz=&status'), WORD_FIELD_NAMES))).toBe('BODY_INVALID');
      expect(thrownCode(() => assertFieldNames(fieldsNamed('zz=&status'), WORD_FIELD_NAMES))).toBe('BODY_INVALID');
    }
  });

  test('after a flood of made-up names, bad names are still refused and good ones accepted', () => {
    for (let i = 0; i < 1000; i++) assertFieldNames(fieldsNamed(`made_up_${i}`), WORD_FIELD_NAMES);
    expect(thrownCode(() => assertFieldNames(fieldsNamed('order_no', 'a&b='), WORD_FIELD_NAMES))).toBe('BODY_INVALID');
    expect(() => assertFieldNames(fieldsNamed('order_no', 'never_seen_before'), WORD_FIELD_NAMES)).not.toThrow();
  });
});
