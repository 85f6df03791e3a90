'use strict';
// SGATE credentials for the example. With SGATE_PUBLIC_KEY unset, a
// development key pair is generated at startup so `npm run example` works on a
// fresh clone: SGATE's real notifications will NOT verify against it. Its
// private half is written to a temporary file so that test notifications can
// be signed (buildSgateNotification / the simulator's --private-key).
const { generateKeyPairSync } = require('node:crypto');
const { mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

function sgateSecrets(log = console.log) {
  const apiKey = process.env.SGATE_API_KEY || 'sgate-dev-api-key';
  const privateKey = process.env.SGATE_MERCHANT_KEY || undefined;
  if (process.env.SGATE_PUBLIC_KEY) return { publicKey: process.env.SGATE_PUBLIC_KEY, apiKey, privateKey };

  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const file = join(mkdtempSync(join(tmpdir(), 'sgate-dev-')), 'sgate-system-private-key.pem');
  writeFileSync(file, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  log('SGATE_PUBLIC_KEY is not set: generated a DEVELOPMENT key pair for this run.');
  log('  Real SGATE notifications will not verify; set SGATE_PUBLIC_KEY and SGATE_API_KEY for that.');
  log(`  Sign test notifications with ${file} and ${process.env.SGATE_API_KEY ? 'the api key in SGATE_API_KEY' : `api key "${apiKey}"`}.`);
  return { publicKey: pair.publicKey, apiKey, privateKey, devPrivateKeyFile: file };
}

module.exports = { sgateSecrets };
