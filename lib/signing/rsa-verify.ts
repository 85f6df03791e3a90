import { constants, verify, type KeyObject } from 'node:crypto';
import { decodeStrictBase64 } from './base64';

/**
 * RSA PKCS#1 v1.5 signature check with a digest fixed by the caller (Java's
 * "MD5withRSA" is `digest: 'md5'`). Any of the keys may match (rotation).
 * False for a signature that is not strict base64; never throws.
 */
export function rsaSignatureValid(keys: readonly KeyObject[], digest: string, data: Buffer, signatureBase64: string): boolean {
  const signature = decodeStrictBase64(signatureBase64);
  if (signature === undefined) return false;
  for (const key of keys) {
    try {
      if (verify(digest, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature)) return true;
    } catch {
      // A signature of the wrong length for this key: not a match.
    }
  }
  return false;
}
