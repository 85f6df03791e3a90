import { hexDigestEqual, safeEqual } from '../../lib/signing/compare';

describe('constant-time comparison', () => {
  test('equal and unequal strings of the same length', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abd', 'abc')).toBe(false);
  });

  test('a length mismatch answers false instead of throwing', () => {
    expect(safeEqual('', 'abc')).toBe(false);
    expect(safeEqual('abcd', 'abc')).toBe(false);
    expect(safeEqual('é', 'ab')).toBe(false);
  });

  test('hex digests compare case-insensitively; non-strings never match', () => {
    expect(hexDigestEqual('ABCDEF', 'abcdef')).toBe(true);
    expect(hexDigestEqual(['abcdef'], 'abcdef')).toBe(false);
    expect(hexDigestEqual(undefined, 'abcdef')).toBe(false);
    expect(hexDigestEqual(123, '123')).toBe(false);
  });
});
