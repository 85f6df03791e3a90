'use strict';
// SGATE credentials for the example. With SGATE_PUBLIC_KEY unset, a
// development key pair is used so `npm run example` works on a fresh clone:
// SGATE's real notifications will NOT verify against it. It is made once and
// kept in `dir` (git-ignored), so test notifications signed with its private
// half (buildSgateNotification, the simulator's --private-key) keep verifying
// after a restart.
const { createPrivateKey, createPublicKey, generateKeyPairSync } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const DEV_KEYS_DIR = join(__dirname, '.dev-keys');
const KEY_FILE = 'sgate-system-private-key.pem';

function sgateSecrets(log = console.log, dir = DEV_KEYS_DIR) {
  const apiKey = process.env.SGATE_API_KEY || 'sgate-dev-api-key';
  const privateKey = process.env.SGATE_MERCHANT_KEY || undefined;
  if (process.env.SGATE_PUBLIC_KEY) return { publicKey: process.env.SGATE_PUBLIC_KEY, apiKey, privateKey };

  const file = join(dir, KEY_FILE);
  const reused = existsSync(file);
  if (!reused) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(file, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  const publicKey = createPublicKey(createPrivateKey(readFileSync(file, 'utf8')));
  log(`SGATE_PUBLIC_KEY is not set: using the DEVELOPMENT key pair in ${file} (${reused ? 'kept from an earlier run' : 'generated now'}).`);
  log('  Real SGATE notifications will not verify; set SGATE_PUBLIC_KEY and SGATE_API_KEY for that.');
  log(`  Sign test notifications with that file and ${process.env.SGATE_API_KEY ? 'the api key in SGATE_API_KEY' : `api key "${apiKey}"`}.`);
  return { publicKey, apiKey, privateKey, devPrivateKeyFile: file };
}

module.exports = { sgateSecrets, DEV_KEYS_DIR };
