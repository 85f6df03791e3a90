import type { KeyObject } from 'node:crypto';
import forge from 'node-forge';
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
 * Why node-forge: Node 20 refuses PKCS#1 v1.5 padding in `privateDecrypt`
 * (CVE-2023-46809, the Marvin timing attack) unless the whole process is run
 * with `--security-revert`, which would weaken every other use of it in the
 * merchant's app. node-forge is a long-maintained, widely used pure-JS
 * implementation with explicit padding checks: a wrong key is an error here,
 * not the random bytes "implicit rejection" returns. The timing attack needs
 * an oracle that decrypts attacker-chosen ciphertexts; callers must only
 * decrypt values whose signature was verified first (SGATE's are), so no
 * attacker can feed it ciphertexts. The cost is speed: pure JS takes some
 * milliseconds per block.
 */
export function createPkcs1Decryptor(privateKey: KeyObject): (base64: string) => string {
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }) as string);
  const blockSize = Math.ceil(key.n.bitLength() / 8);
  return (base64) => {
    const cipher = decodeStrictBase64(base64);
    if (cipher === undefined) throw new Pkcs1DecryptError('it is not base64');
    if (cipher.length % blockSize !== 0) {
      throw new Pkcs1DecryptError(`its length is not a multiple of the key's ${blockSize}-byte block: encrypted for another key size`);
    }
    const parts: Buffer[] = [];
    for (let offset = 0; offset < cipher.length; offset += blockSize) {
      let plain: string;
      try {
        plain = key.decrypt(cipher.subarray(offset, offset + blockSize).toString('binary'), 'RSAES-PKCS1-V1_5');
      } catch {
        throw new Pkcs1DecryptError('the padding check failed: it was encrypted for another key than the configured privateKey');
      }
      parts.push(Buffer.from(plain, 'binary'));
    }
    try {
      return UTF8.decode(Buffer.concat(parts));
    } catch {
      throw new Pkcs1DecryptError('the decrypted bytes are not UTF-8 text');
    }
  };
}
