import fc from 'fast-check';
import { hexDigestEqual, safeEqual } from '../../lib/signing/compare';

/** A string whose charCodeAt calls are counted: what the comparison reads of it. */
function counted(text: string): { value: string; reads: () => number } {
  let reads = 0;
  class Counted extends String {
    override charCodeAt(index: number): number {
      reads++;
      return super.charCodeAt(index);
    }
  }
  return { value: new Counted(text) as unknown as string, reads: () => reads };
}

describe('constant-time comparison', () => {
  test('equal and unequal strings of the same length', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abd', 'abc')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });

  test('a length mismatch answers false instead of throwing', () => {
    expect(safeEqual('', 'abc')).toBe(false);
    expect(safeEqual('abcd', 'abc')).toBe(false);
    expect(safeEqual('abc', '')).toBe(false);
    expect(safeEqual('é', 'ab')).toBe(false);
    // Same UTF-8 length (two bytes each), different strings.
    expect(safeEqual('é', 'ü')).toBe(false);
  });

  test('strings that differ only in a lone surrogate are not equal (their UTF-8 encodings are: both U+FFFD)', () => {
    expect(Buffer.from('\uD800').equals(Buffer.from('\uDBFF'))).toBe(true);
    expect(safeEqual('\uD800', '\uDBFF')).toBe(false);
    expect(safeEqual('a\uDC00', 'a\uDFFF')).toBe(false);
  });

  test('it answers exactly what === answers, for any two strings (any code units)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    fc.assert(fc.property(text, text, (a, b) => safeEqual(a, b) === (a === b)));
    // Mostly equal pairs, which random strings almost never are.
    fc.assert(fc.property(text, fc.nat(), fc.integer({ min: 0, max: 0xffff }), (a, at, unit) => {
      const b = a.length === 0 ? a : a.slice(0, at % a.length) + String.fromCharCode(unit) + a.slice((at % a.length) + 1);
      return safeEqual(b, a) === (a === b);
    }));
  });

  test('no early exit: the same reads whatever the received value, wherever it differs, whatever its length', () => {
    const expected = 'd41d8cd98f00b204e9800998ecf8427e';
    for (const text of [expected, `x${expected.slice(1)}`, `${expected.slice(0, -1)}x`, 'short', `${expected}0`, '']) {
      const own = counted(expected);
      const received = counted(text);
      safeEqual(received.value, own.value);
      // Two code units read per unit of the expected value: one of each string, or (lengths differing) of it twice.
      expect({ text, reads: own.reads() + received.reads() }).toEqual({ text, reads: 2 * expected.length });
    }
  });

  test('hex digests compare case-insensitively; non-strings never match', () => {
    expect(hexDigestEqual('ABCDEF', 'abcdef')).toBe(true);
    expect(hexDigestEqual('abcdee', 'abcdef')).toBe(false);
    expect(hexDigestEqual(['abcdef'], 'abcdef')).toBe(false);
    expect(hexDigestEqual(undefined, 'abcdef')).toBe(false);
    expect(hexDigestEqual(123, '123')).toBe(false);
  });
});
