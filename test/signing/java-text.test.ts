/**
 * PingPong's Java signer leaves out blank values (StringUtils.isBlank, i.e.
 * Character.isWhitespace) and its prose trims (String.trim): ours must agree
 * with Java on every UTF-16 code unit, or a genuine notification is refused.
 */
import fc from 'fast-check';
import { isJavaBlank, isJavaWhitespace, javaTrim } from '../../lib/signing/java-text';

/** Printed by `Character.isWhitespace((char) c)` for c in 0..0xFFFF on OpenJDK 17. */
const JAVA_17_WHITESPACE = [0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x205f, 0x3000];

/** Its Javadoc's definition, from Unicode's categories: separators but the no-break ones, and nine controls. */
const JAVADOC = (code: number) => (/[\p{Zs}\p{Zl}\p{Zp}]/u.test(String.fromCharCode(code)) && ![0xa0, 0x2007, 0x202f].includes(code)) || (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x1f);

test('isJavaWhitespace is exactly Java 17 on every UTF-16 code unit, and the Javadoc definition', () => {
  const ours: number[] = [];
  const javadoc: number[] = [];
  for (let code = 0; code <= 0xffff; code++) {
    if (isJavaWhitespace(code)) ours.push(code);
    if (JAVADOC(code)) javadoc.push(code);
  }
  expect(ours).toEqual(JAVA_17_WHITESPACE);
  expect(javadoc).toEqual(JAVA_17_WHITESPACE);
});

test('isJavaBlank: empty or whitespace only; javaTrim: String.trim (code units up to U+0020, not U+3000)', () => {
  expect(['', ' ', '\u3000', '\t\u2028 '].every(isJavaBlank)).toBe(true);
  expect(['\u00a0', '\u0000', ' x ', '\u180e'].some(isJavaBlank)).toBe(false);
  expect(javaTrim('\u0000 x\u0001\u3000 ')).toBe('x\u0001\u3000');
  expect(javaTrim('\u3000x')).toBe('\u3000x');
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (value) => {
      const trimmed = javaTrim(value);
      expect(value.includes(trimmed)).toBe(true);
      expect(trimmed === '' || (trimmed.charCodeAt(0) > 0x20 && trimmed.charCodeAt(trimmed.length - 1) > 0x20)).toBe(true);
    }),
  );
});
