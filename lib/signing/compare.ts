/**
 * Constant-time equality of two strings, compared code unit by code unit:
 * every unit of `expected` is read and combined whatever `received` holds,
 * with no early exit, so the time taken says nothing of where they differ.
 * A length mismatch answers false after the same loop, over `expected`
 * against itself: what it reveals is whether the lengths match, and the
 * expected length (a digest's, a configured token's) is no secret.
 *
 * Written out rather than through crypto.timingSafeEqual, as the web
 * builds of octokit's webhook methods and the Standard Webhooks library do:
 * that needs both strings as Buffers first, two allocations and a native
 * call per check, several microseconds of every notification under load. Code
 * units are also what string equality means: two different lone surrogates
 * both encode to the UTF-8 of U+FFFD, so comparing the encodings would call
 * them equal.
 */
export function safeEqual(received: string, expected: string): boolean {
  const length = expected.length;
  const other = received.length === length ? received : expected;
  let difference = received.length ^ length;
  for (let i = 0; i < length; i++) difference |= other.charCodeAt(i) ^ expected.charCodeAt(i);
  return difference === 0;
}

/** Hex digests are compared case-insensitively: providers differ, and so do their SDKs. */
export function hexDigestEqual(received: unknown, expectedLowerHex: string): boolean {
  return typeof received === 'string' && safeEqual(received.toLowerCase(), expectedLowerHex);
}
