import * as crypto from 'node:crypto';

/**
 * One-shot `crypto.hash` (Node ≥ 20.12) skips the Hash object that
 * createHash builds, a third of the cost for a notification-sized input.
 */
const oneShot: ((algorithm: string, data: string) => string) | undefined = typeof crypto.hash === 'function' ? crypto.hash : undefined;

export function md5Hex(text: string): string {
  return oneShot !== undefined ? oneShot('md5', text) : crypto.createHash('md5').update(text, 'utf8').digest('hex');
}
