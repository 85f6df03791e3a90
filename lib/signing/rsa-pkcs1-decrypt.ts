import { constants, privateDecrypt, type KeyObject } from 'node:crypto';
import { decodeStrictBase64 } from './base64';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Why a value could not be decrypted, in words safe for logs (never the value). */
export class Pkcs1DecryptError extends Error {
  override readonly name = 'Pkcs1DecryptError';
}

/**
 * Decrypts base64 text that was RSA-encrypted with PKCS#1 v1.5 padding in
 * blocks of the key's size (256 bytes for RSA-2048), the blocks' plain texts
 * concatenated, UTF-8.
 *
 * Node 20 refuses PKCS#1 v1.5 in `privateDecrypt` (CVE-2023-46809, the Marvin
 * timing attack) unless the whole process runs with `--security-revert`, which
 * would weaken every other use in the merchant's app. We do not do that.
 * Instead OpenSSL does the RSA operation (`RSA_NO_PADDING`, still allowed and
 * fast: ~1 ms a block, where pure-JS node-forge takes ~30 ms and blocks the
 * event loop) and we check the type-2 padding here. The attack needs an
 * oracle that decrypts attacker-chosen ciphertexts and reveals padding
 * failures; this runs only on values whose SGATE signature has already been
 * verified, so no attacker can submit ciphertexts to it at all. A padding
 * failure is an error, never random bytes.
 */
export function createPkcs1Decryptor(privateKey: KeyObject): (base64: string) => string {
  const blockSize = (privateKey.asymmetricKeyDetails?.modulusLength ?? 2048) / 8;
  return (base64) => {
    const cipher = decodeStrictBase64(base64);
    if (cipher === undefined) throw new Pkcs1DecryptError('it is not base64');
    if (cipher.length === 0 || cipher.length % blockSize !== 0) {
      throw new Pkcs1DecryptError(`its length is not a multiple of the key's ${blockSize}-byte block: encrypted for another key size`);
    }
    const parts: Buffer[] = [];
    for (let offset = 0; offset < cipher.length; offset += blockSize) {
      let block: Buffer;
      try {
        block = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, cipher.subarray(offset, offset + blockSize));
      } catch {
        throw new Pkcs1DecryptError('the padding check failed: it was encrypted for another key than the configured privateKey');
      }
      parts.push(unpadType2(block));
    }
    try {
      return UTF8.decode(Buffer.concat(parts));
    } catch {
      throw new Pkcs1DecryptError('the decrypted bytes are not UTF-8 text');
    }
  };
}

/** EM = 0x00 || 0x02 || PS (at least 8 non-zero bytes) || 0x00 || M (RFC 8017 §7.2.2). */
function unpadType2(block: Buffer): Buffer {
  const separator = block.indexOf(0, 2);
  if (block[0] !== 0x00 || block[1] !== 0x02 || separator < 10) {
    throw new Pkcs1DecryptError('the padding check failed: it was encrypted for another key than the configured privateKey');
  }
  return block.subarray(separator + 1);
}
