/**
 * The benchmark's SGATE bodies are signed once and resent (RSA signing is too slow to make one
 * per request), but a full `npm run bench` outlasts the server's 300 s timestamp tolerance: a
 * body signed in the first round was refused with 401 in the last, which voided the run. Stale
 * bodies are signed again.
 */
import { generateKeyPairSync } from 'node:crypto';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { sgateRequests } = require('../../bench/requests/providers');

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });

test('a body is resent as signed for a minute, then signed again with a fresh timestamp and nonce', () => {
  let clock = 1_000_000;
  const requests = sgateRequests({ privateKey, apiKey: 'bench', distinct: 2, now: () => clock });
  const first = requests.body('r0-0');
  expect(requests.body('r1-2')).toEqual(first); // 2 % 2: the same notification, still fresh
  expect(requests.body('r1-1').headers['V-Nonce-Str']).not.toBe(first.headers['V-Nonce-Str']); // another notification
  clock += 60_000;
  expect(requests.body('r2-0')).toEqual(first);
  clock += 1;
  const again = requests.body('r2-0');
  // The same notification (its id), signed anew.
  expect(JSON.parse(again.body).data.customid).toBe(JSON.parse(first.body).data.customid);
  expect(again.headers['V-Nonce-Str']).not.toBe(first.headers['V-Nonce-Str']);
  expect(again.headers['V-Signature']).not.toBe(first.headers['V-Signature']);
  expect(Math.abs(Number(again.headers['V-Timestamp']) - Date.now() / 1000)).toBeLessThan(5);
});
