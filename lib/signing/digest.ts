import * as crypto from 'node:crypto';

/**
 * One-shot `crypto.hash` (Node ≥ 20.12) skips the Hash object that
 * createHash builds, a third of the cost for a notification-sized input.
 */
const oneShot: ((algorithm: string, data: string) => string) | undefined = typeof crypto.hash === 'function' ? crypto.hash : undefined;

function hexDigest(algorithm: 'md5' | 'sha256', text: string): string {
  return oneShot !== undefined ? oneShot(algorithm, text) : crypto.createHash(algorithm).update(text, 'utf8').digest('hex');
}

export function md5Hex(text: string): string {
  return hexDigest('md5', text);
}

export function sha256Hex(text: string): string {
  return hexDigest('sha256', text);
}
