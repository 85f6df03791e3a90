/**
 * Java's notions of blank and trimmed text, as PingPong's Java signer applies
 * them (StringUtils.isNotBlank, String.trim), so that what we sign is what it
 * signed, character for character.
 */

/**
 * `Character.isWhitespace(ch)` exactly, for a UTF-16 code unit (Java 9 and
 * later): the Unicode space separators except the no-break ones (U+00A0,
 * U+2007, U+202F), so U+0020, U+1680, U+2000–U+2006, U+2008–U+200A, U+205F
 * and U+3000; the line and paragraph separators U+2028 and U+2029; and the
 * controls U+0009–U+000D and U+001C–U+001F. (Java 8, on Unicode 6.2, also
 * counted U+180E, which Unicode 6.3 made a format character.)
 */
export function isJavaWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code >= 0x1c;
  if (code < 0x1680) return false;
  return code === 0x1680 || (code >= 0x2000 && code <= 0x200a && code !== 0x2007) || code === 0x2028 || code === 0x2029 || code === 0x205f || code === 0x3000;
}

/** commons-lang `StringUtils.isBlank`: empty, or whitespace (isJavaWhitespace) only. */
export function isJavaBlank(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (!isJavaWhitespace(value.charCodeAt(i))) return false;
  return true;
}

/** `String.trim()`: every code unit up to U+0020 off both ends (not Unicode whitespace such as U+3000). */
export function javaTrim(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && value.charCodeAt(start) <= 0x20) start++;
  while (end > start && value.charCodeAt(end - 1) <= 0x20) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}
