import { timingSafeEqual } from 'node:crypto';

/**
 * Constant-time equality of two strings. `timingSafeEqual` throws on a length
 * mismatch, so unequal lengths compare the expected value with itself (same
 * work) and answer false: neither a throw nor the timing reveals anything.
 */
export function safeEqual(received: string, expected: string): boolean {
  const a = Buffer.from(received, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  if (a.length !== b.length) {
    timingSafeEqual(b, b);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** Hex digests are compared case-insensitively: providers differ, and so do their SDKs. */
export function hexDigestEqual(received: unknown, expectedLowerHex: string): boolean {
  return typeof received === 'string' && safeEqual(received.toLowerCase(), expectedLowerHex);
}
