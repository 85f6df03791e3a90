import fc from 'fast-check';
import type { JsonValue } from '../../lib/body/fields';
import { canonicalJson, fingerprint } from '../../lib/dedup/fingerprint';

const anyCodeUnit = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });
/** Keys that order differently as strings and as integers, and the one that is special on plain objects. */
const awkwardKey = fc.constantFrom('10', '9', '0', '01', '-1', '__proto__', 'constructor', '', 'a', 'B');
const key = fc.oneof(anyCodeUnit, awkwardKey);
const json: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.oneof(anyCodeUnit, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 6 }).map(objectOf),
  ),
})).value;

/** An object with these entries in this order; "__proto__" stays an own key, as JSON.parse makes it. */
function objectOf(entries: [string, JsonValue][]): JsonValue {
  const object: { [key: string]: JsonValue } = {};
  for (const [name, value] of entries) Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

/** The same content with every object's keys inserted in another order. */
function reordered(value: JsonValue, pick: (length: number) => number): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => reordered(item, pick));
  const entries = Object.entries(value);
  const shuffled: [string, JsonValue][] = [];
  while (entries.length > 0) {
    const [name, item] = entries.splice(pick(entries.length), 1)[0];
    shuffled.push([name, reordered(item, pick)]);
  }
  return objectOf(shuffled);
}

test('the canonical text loses nothing: it parses back to the same value, so different content gives different text', () => {
  fc.assert(
    fc.property(json, (value) => {
      expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
    }),
    { numRuns: 2000 },
  );
});

test('key order, at any depth, never changes the text or the digest', () => {
  fc.assert(
    fc.property(json, fc.infiniteStream(fc.nat()), (value, choices) => {
      const pick = (length: number) => choices.next().value % length;
      const other = reordered(value, pick);
      expect(canonicalJson(other)).toBe(canonicalJson(value));
      expect(fingerprint(other)).toBe(fingerprint(value));
    }),
    { numRuns: 2000 },
  );
});

test('the input is never modified', () => {
  fc.assert(
    fc.property(json, (value) => {
      const before = JSON.stringify(value);
      canonicalJson(value);
      expect(JSON.stringify(value)).toBe(before);
    }),
    { numRuns: 500 },
  );
});

test('array order and value types matter', () => {
  expect(fingerprint({ a: 1, b: [1, 2] })).toBe(fingerprint({ b: [1, 2], a: 1 }));
  expect(fingerprint({ a: 1, b: [1, 2] })).not.toBe(fingerprint({ a: 1, b: [2, 1] }));
  expect(fingerprint({ a: '1' })).not.toBe(fingerprint({ a: 1 }));
  expect(canonicalJson({ b: { d: 1, c: [{ f: 1, e: 2 }] }, a: '\u2028"' })).toBe('{"a":"\u2028\\"","b":{"c":[{"e":2,"f":1}],"d":1}}');
});

test('`without` leaves those top-level fields out, and only at the top level', () => {
  const without = new Set(['sign', 'id']);
  expect(canonicalJson({ sign: 'x', z: { sign: 'kept' }, id: 1, a: 2 }, without)).toBe('{"a":2,"z":{"sign":"kept"}}');
  expect(fingerprint({ sign: 'x', a: 2 }, without)).toBe(fingerprint({ a: 2, sign: 'y' }, without));
  expect(fingerprint({ sign: 'x', a: 2 }, without)).toBe(fingerprint({ a: 2 }));
});
