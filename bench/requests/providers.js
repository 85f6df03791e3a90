'use strict';
// Request generators for SGATE, PingPong KYB, card-issuing and the crypto
// gateway, built with the package's testing kit as each provider sends them;
// ids come from `seq` so that every body is a distinct notification (SGATE:
// see sgateRequests).
// The directory's index, named: a resolver that prefers .mjs (jest's) would take dist/testing.mjs.
const testing = require('../../dist/testing/index.js');

function cryptoGatewayRequests({ secret, format = 'json', path = '/notify/crypto' }) {
  // The signature as a `sign` field in the body, in every format.
  const build = (fields) => testing.buildCryptoGatewayNotification({ secret, type: 'recharge', format, signIn: 'body', fields });
  return {
    method: 'POST',
    path,
    headers: build().headers,
    body(seq) {
      return build({ txid: `bafy${seq}`, address: `f1${seq}` }).body;
    },
  };
}

function pingPongKybRequests({ secret, path = '/notify/pingpong-kyb' }) {
  const build = (fields) => testing.buildPingPongKybNotification({ secret, bizType: 'SM_KYC_REVIEW', fields });
  return {
    method: 'POST',
    path,
    headers: build().headers,
    body(seq) {
      return build({ bizId: `SM${seq}` }).body;
    },
  };
}

function cardIssuingRequests({ token, path = '/notify/card-issuing' }) {
  return {
    method: 'POST',
    // The token in the registered callback URL, as the provider calls it.
    path: `${path}?token=${encodeURIComponent(token)}`,
    headers: { 'content-type': 'application/json' },
    body(seq) {
      return testing.buildCardIssuingNotification({ notifyId: `n${seq}` }).body;
    },
  };
}

/**
 * SGATE signs every body with RSA (~1 ms each to make), too slow to make a new
 * one for every request of a round. So `distinct` notifications are signed once
 * and sent round and round, and the variant's server forgets a handled
 * notification after 1 ms (`doneTtlMs`): every request is still verified,
 * claimed, handled and completed, like a new one. The difference: the store
 * holds `distinct` keys, not 100 000. Sensitive fields are sent in plain text
 * (no `privateKey`, so no decryption).
 */
function sgateRequests({ privateKey, apiKey, path = '/notify/sgate', distinct = 2000, now = Date.now }) {
  const signed = new Array(distinct);
  return {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    body(seq) {
      const i = Number(/(\d+)$/.exec(seq)[1]) % distinct;
      // Signed again once stale: a full run lasts longer than the server's timestamp tolerance
      // (300 s), and a body signed in the first round would be refused (401) in the last.
      if (signed[i] === undefined || now() - signed[i].signedAt > SGATE_RESIGN_AFTER_MS) {
        const n = testing.buildSgateNotification({ privateKey, apiKey, url: path, data: { customid: `bench${i}` } });
        signed[i] = { body: n.body, headers: n.headers, signedAt: now() };
      }
      return { body: signed[i].body, headers: signed[i].headers };
    },
  };
}

/**
 * Bodies are made before each turn (bench/harness/load.js makePool), never during one, so a
 * body is at most this old plus one turn when sent: far inside the tolerance for any --duration
 * under 4 minutes.
 */
const SGATE_RESIGN_AFTER_MS = 60_000;

module.exports = { sgateRequests, cryptoGatewayRequests, pingPongKybRequests, cardIssuingRequests };
