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
  // createPublicKey would also derive a public key from a private one: a
  // private key pasted into a public-key setting is a mistake worth stopping.
  if (typeof input === 'string' && input.trim().startsWith('-----BEGIN') && /PRIVATE KEY-----/.test(input)) {
    throw new TypeError(`${where}: ${name} holds a private key; give the public key here.`);
  }
  const key = readRsaKey(input, PUBLIC);
  if (key === undefined) throw new TypeError(`${where}: ${name} must be an RSA public key: PEM, or base64 DER (SPKI or PKCS#1).`);
  return key;
}

/** An RSA private key from PEM (`PRIVATE KEY` or `RSA PRIVATE KEY`, unencrypted) or bare base64 DER (PKCS#8, else PKCS#1). */
export function rsaPrivateKey(where: string, name: string, input: RsaKeyInput): KeyObject {
  const key = readRsaKey(input, PRIVATE);
  if (key === undefined) throw new TypeError(`${where}: ${name} must be an unencrypted RSA private key: PEM, or base64 DER (PKCS#8 or PKCS#1).`);
  return key;
}

type DerType = 'spki' | 'pkcs1' | 'pkcs8';

/** One half of a key pair: its KeyObject type, how Node makes it, and the DER encodings tried in turn. */
interface KeyKind {
  type: 'public' | 'private';
  create(key: string | { key: Buffer; format: 'der'; type: DerType }): KeyObject;
  derTypes: readonly DerType[];
}

const PUBLIC: KeyKind = { type: 'public', create: (key) => createPublicKey(key as never), derTypes: ['spki', 'pkcs1'] };
const PRIVATE: KeyKind = { type: 'private', create: (key) => createPrivateKey(key as never), derTypes: ['pkcs8', 'pkcs1'] };

function readRsaKey(input: RsaKeyInput, kind: KeyKind): KeyObject | undefined {
  let key: KeyObject | undefined;
  if (input instanceof KeyObject) {
    key = input.type === kind.type ? input : undefined;
  } else if (typeof input === 'string') {
    const text = unescapeNewlines(input.trim());
    if (text.startsWith('-----BEGIN')) {
      key = attempt(() => kind.create(text));
    } else {
      const der = decodeStrictBase64(text.replace(/\s+/g, ''));
      for (const type of der === undefined ? [] : kind.derTypes) {
        key = attempt(() => kind.create({ key: der!, format: 'der', type }));
        if (key !== undefined) break;
      }
    }
  }
  return key?.asymmetricKeyType === 'rsa' ? key : undefined;
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
