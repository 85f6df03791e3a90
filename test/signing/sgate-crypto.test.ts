/**
 * SGATE's signing data, the RSA key forms it hands out, and the decryption of
 * its sensitive fields, checked against the documented vector and against
 * Node's own crypto, independently of the middleware.
 */
import { constants, createHash, generateKeyPairSync, publicEncrypt, verify } from 'node:crypto';
import { sgateSigningData, signSgateHeaders, encryptSgateField } from '../../lib/testing';
import { createPkcs1Decryptor } from '../../lib/signing/rsa-pkcs1-decrypt';
import { rsaPrivateKey, rsaPublicKey } from '../../lib/signing/rsa-keys';
import { rsaSignatureValid } from '../../lib/signing/rsa-verify';
import { decodeStrictBase64 } from '../../lib/signing/base64';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

describe('SGATE signing data', () => {
  test('matches the documented MD5 check vector', () => {
    // SGATE's documented check vector: the signing data of a GET with an empty body, and its MD5.
    const documented =
      '{"api_key":"xxxxxxxxxxxxxx","timestamp":1686647706,"nonce_str":"TIj5tZ3gM6FbprYlKNR2","url":"/openApi/v1/payee/custom/list","method":"GET","body":""}';
    expect(md5(documented)).toBe('8a5908e27626d79d73dc14bd9ba00e72');
    // Our builder makes exactly that line (method aside: notifications are POSTs).
    const ours = sgateSigningData({ apiKey: 'xxxxxxxxxxxxxx', timestamp: 1686647706, nonce: 'TIj5tZ3gM6FbprYlKNR2', url: '/openApi/v1/payee/custom/list', body: '' });
    expect(ours).toBe(documented.replace('"method":"GET"', '"method":"POST"'));
    expect(md5(ours.replace('"method":"POST"', '"method":"GET"'))).toBe('8a5908e27626d79d73dc14bd9ba00e72');
  });

  test('one line, key order fixed, timestamp a number, body the raw text as a JSON string, no escaping of / or unicode', () => {
    const body = '{"event":"X","data":{"name_a":"محمد","url":"https://a.example/p"},"time":1}';
    const line = sgateSigningData({ apiKey: 'k', timestamp: 12, nonce: 'n', url: '/notify/sgate?x=1', body });
    expect(line).toBe(
      '{"api_key":"k","timestamp":12,"nonce_str":"n","url":"/notify/sgate?x=1","method":"POST","body":"{\\"event\\":\\"X\\",\\"data\\":{\\"name_a\\":\\"محمد\\",\\"url\\":\\"https://a.example/p\\"},\\"time\\":1}"}',
    );
    expect(line).not.toContain('\n');
  });

  test('signSgateHeaders: V-Signature is MD5withRSA over the ASCII MD5 hex of the signing data, verifiable with plain Node crypto', () => {
    const body = '{"event":"CUSTOM_STATUS_CHANGE","data":{},"time":1686832475}';
    const headers = signSgateHeaders(body, { privateKey: pair.privateKey, apiKey: 'api', url: '/n', timestamp: 1686831994, nonce: 'i7yCJYTbSaBj32th' });
    expect(headers).toMatchObject({ 'V-Api-Key': 'api', 'V-Api-Version': '1', 'V-Timestamp': '1686831994', 'V-Nonce-Str': 'i7yCJYTbSaBj32th' });
    const digest = md5(`{"api_key":"api","timestamp":1686831994,"nonce_str":"i7yCJYTbSaBj32th","url":"/n","method":"POST","body":${JSON.stringify(body)}}`);
    const signature = Buffer.from(headers['V-Signature'], 'base64');
    expect(signature).toHaveLength(256);
    expect(verify('md5', Buffer.from(digest, 'ascii'), pair.publicKey, signature)).toBe(true);
    // And the check the middleware uses agrees, for this key only.
    expect(rsaSignatureValid([pair.publicKey], 'md5', Buffer.from(digest, 'ascii'), headers['V-Signature'])).toBe(true);
    expect(rsaSignatureValid([otherPair.publicKey], 'md5', Buffer.from(digest, 'ascii'), headers['V-Signature'])).toBe(false);
    expect(rsaSignatureValid([otherPair.publicKey, pair.publicKey], 'md5', Buffer.from(digest, 'ascii'), headers['V-Signature'])).toBe(true);
  });

  test.each([['not base64 at all', '!!!!'], ['base64 with junk inside', 'ab$c'], ['valid base64, wrong length', 'AAAA'], ['empty', '']])(
    'a signature that is %s is simply invalid (no throw)',
    (_name, signature) => {
      expect(rsaSignatureValid([pair.publicKey], 'md5', Buffer.from('x'), signature)).toBe(false);
    },
  );

  test('strict base64: what Buffer.from would silently skip is refused', () => {
    expect(decodeStrictBase64('aGVsbG8=')?.toString()).toBe('hello');
    expect(decodeStrictBase64('aGVs bG8=')).toBeUndefined();
    expect(decodeStrictBase64('aGVsbG8')).toBeUndefined();
    expect(decodeStrictBase64('aGVsbG8=\n')).toBeUndefined();
    expect(decodeStrictBase64('aGVs*bG8=')).toBeUndefined();
  });
});

describe('RSA key forms', () => {
  const spkiPem = pair.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const pkcs1Pem = pair.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;
  const spkiDer = (pair.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
  const pkcs1Der = (pair.publicKey.export({ type: 'pkcs1', format: 'der' }) as Buffer).toString('base64');
  const same = (key: ReturnType<typeof rsaPublicKey>) => key.equals(pair.publicKey);

  test.each([
    ['PEM SPKI (BEGIN PUBLIC KEY)', spkiPem],
    ['PEM PKCS#1 (BEGIN RSA PUBLIC KEY)', pkcs1Pem],
    ['bare base64 DER SPKI, as SGATE hands it out', spkiDer],
    ['bare base64 DER PKCS#1', pkcs1Der],
    ['bare base64 wrapped over lines', spkiDer.replace(/(.{64})/g, '$1\n')],
    ['PEM with literal \\n (from an environment variable)', spkiPem.trim().replace(/\n/g, '\\n')],
    ['a KeyObject', pair.publicKey],
  ])('public key as %s', (_name, input) => {
    expect(same(rsaPublicKey('t', 'publicKey', input))).toBe(true);
  });

  test.each([
    ['garbage', 'not a key'],
    ['a private key PEM', pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string],
    ['an EC key', generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string],
    ['base64 that is not a key', Buffer.from('hello world').toString('base64')],
  ])('refuses %s as a public key, without echoing it', (_name, input) => {
    let message = '';
    try {
      rsaPublicKey('where', 'publicKey', input);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^where: publicKey /);
    expect(message).not.toContain(String(input).trim().slice(-20));
  });

  test.each([
    ['PEM PKCS#8', pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string],
    ['PEM PKCS#1', pair.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string],
    ['bare base64 DER PKCS#8', (pair.privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer).toString('base64')],
    ['bare base64 DER PKCS#1', (pair.privateKey.export({ type: 'pkcs1', format: 'der' }) as Buffer).toString('base64')],
  ])('private key as %s', (_name, input) => {
    expect(rsaPrivateKey('t', 'privateKey', input).equals(pair.privateKey)).toBe(true);
  });

  test('refuses a public key as the private key', () => {
    expect(() => rsaPrivateKey('t', 'privateKey', pair.publicKey)).toThrow(/privateKey must be/);
  });
});

describe('decrypting sensitive fields (RSA PKCS#1 v1.5, multi-block)', () => {
  const decrypt = createPkcs1Decryptor(pair.privateKey);

  test('one block', () => {
    expect(decrypt(encryptSgateField('1098765432', pair.publicKey))).toBe('1098765432');
  });

  test('several blocks, a multi-byte character split across a block boundary', () => {
    // 245 bytes of plain text fit one block of a 2048-bit key; this is 3 blocks,
    // and the 2-byte "é" straddles the first boundary.
    const plain = `${'a'.repeat(244)}é${'b'.repeat(300)}`;
    const cipher = encryptSgateField(plain, pair.publicKey);
    expect(Buffer.from(cipher, 'base64')).toHaveLength(3 * 256);
    expect(decrypt(cipher)).toBe(plain);
  });

  test('blocks made by plain Node crypto, independently of the helper', () => {
    const blocks = ['first part|', 'second part'].map((part) => publicEncrypt({ key: pair.publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(part)));
    expect(decrypt(Buffer.concat(blocks).toString('base64'))).toBe('first part|second part');
  });

  test('the documented sample (encrypted for the documented merchant) fails clearly with our key', () => {
    const seedIdentity =
      'iE86CxKwnRt4B1+msYXD90MYMplDXJ1VnsEEc8X/A46PJciuLctA4kE7YrIuOJLzHC4e4SFYVtJ45fBkGsTs4UdhUu9ridfWIAyQ556zi6dIOPPjNMkCe2mNWK/Cpah5/2w2ZtDg0zqbx4mEJrowVg77RbzlFBcXYN+jQIhla9i7WtGTf4U4Kb15CwMFiOUu4IMxVuMkycubWOLh05/eMY/0Kwd49L8PvWJBJM9xVQvq+elK0u8EteQDi5UDnakGyjx5P/9m+UzzkpcahsE0HD73k7TLowf2B3rQDzFXnT5CuKtqmNwh1oNXae8jPOUxYc1TMfHStplL1YbHCyhnig==';
    expect(Buffer.from(seedIdentity, 'base64')).toHaveLength(256);
    expect(() => decrypt(seedIdentity)).toThrow(/padding check failed/);
  });

  test.each([
    ['encrypted for another key', () => encryptSgateField('secret', otherPair.publicKey), /padding check failed/],
    ['not base64', () => 'plain text, not encrypted', /not base64/],
    ['not a whole number of blocks', () => Buffer.alloc(100, 1).toString('base64'), /multiple of the key's 256-byte block/],
  ])('%s: an error, never garbage', (_name, make, reason) => {
    expect(() => decrypt(make())).toThrow(reason);
  });

  test('a plain text that is not UTF-8 is an error', () => {
    const cipher = publicEncrypt({ key: pair.publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from([0xff, 0xfe, 0x41])).toString('base64');
    expect(() => decrypt(cipher)).toThrow(/not UTF-8/);
  });
});
