import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { decodeStrictBase64 } from './base64';

/** A key as merchants receive it: PEM text, bare base64 DER, or a KeyObject. */
export type RsaKeyInput = string | KeyObject;

/**
 * An RSA public key from PEM (`PUBLIC KEY` or `RSA PUBLIC KEY`) or from bare
 * base64 DER (SPKI, else PKCS#1), the two ways providers hand keys out.
 * Only RSA: the algorithm is fixed by configuration, never by what arrives.
 */
export function rsaPublicKey(where: string, name: string, input: RsaKeyInput): KeyObject {
  const fail = () => new TypeError(`${where}: ${name} must be an RSA public key: PEM, or base64 DER (SPKI or PKCS#1).`);
  let key: KeyObject | undefined;
  if (input instanceof KeyObject) {
    key = input.type === 'public' ? input : undefined;
  } else if (typeof input === 'string') {
    const text = unescapeNewlines(input.trim());
    if (text.startsWith('-----BEGIN')) {
      // createPublicKey would also derive a public key from a private one: a
      // private key pasted into a public-key setting is a mistake worth stopping.
      if (/PRIVATE KEY-----/.test(text)) throw new TypeError(`${where}: ${name} holds a private key; give the public key here.`);
      key = attempt(() => createPublicKey(text));
    } else {
      const der = decodeStrictBase64(text.replace(/\s+/g, ''));
      if (der !== undefined) {
        key = attempt(() => createPublicKey({ key: der, format: 'der', type: 'spki' })) ?? attempt(() => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }));
      }
    }
  }
  if (key === undefined || key.asymmetricKeyType !== 'rsa') throw fail();
  return key;
}

/** An RSA private key from PEM (`PRIVATE KEY` or `RSA PRIVATE KEY`, unencrypted) or bare base64 DER (PKCS#8, else PKCS#1). */
export function rsaPrivateKey(where: string, name: string, input: RsaKeyInput): KeyObject {
  let key: KeyObject | undefined;
  if (input instanceof KeyObject) {
    key = input.type === 'private' ? input : undefined;
  } else if (typeof input === 'string') {
    const text = unescapeNewlines(input.trim());
    if (text.startsWith('-----BEGIN')) {
      key = attempt(() => createPrivateKey(text));
    } else {
      const der = decodeStrictBase64(text.replace(/\s+/g, ''));
      if (der !== undefined) {
        key = attempt(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })) ?? attempt(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }));
      }
    }
  }
  if (key === undefined || key.asymmetricKeyType !== 'rsa') {
    throw new TypeError(`${where}: ${name} must be an unencrypted RSA private key: PEM, or base64 DER (PKCS#8 or PKCS#1).`);
  }
  return key;
}

/** Keys kept in environment variables often arrive with literal `\n` for each line break. */
function unescapeNewlines(text: string): string {
  return text.startsWith('-----BEGIN') && !text.includes('\n') ? text.replace(/\\n/g, '\n') : text;
}

function attempt(make: () => KeyObject): KeyObject | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}
