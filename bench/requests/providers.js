'use strict';
// Request generators for PingPong KYB, card-issuing and the crypto gateway,
// built with the package's testing kit as each provider sends them; ids come
// from `seq` so that every body is a distinct notification. (SGATE is not in
// the HTTP benchmark: each body needs its own RSA signature, ~1 ms to make, so
// a pool for one round would take longer to sign than the round lasts.)
const testing = require('../../dist/testing');

const CONTENT_TYPES = { json: 'application/json', form: 'application/x-www-form-urlencoded', xml: 'application/xml' };

function cryptoGatewayRequests({ secret, format = 'json', path = '/notify/crypto' }) {
  const sample = testing.sampleCryptoGatewayFields('recharge');
  return {
    method: 'POST',
    path,
    headers: { 'content-type': CONTENT_TYPES[format] },
    body(seq) {
      const fields = { ...sample, txid: `bafy${seq}`, address: `f1${seq}` };
      const sign = testing.signCryptoGateway(fields, secret);
      if (format === 'json') return JSON.stringify({ ...fields, sign });
      if (format === 'form') return testing.encodeForm({ ...fields, sign });
      return testing.encodeXmlResponse({ ...fields, sign });
    },
  };
}

function pingPongKybRequests({ secret, path = '/notify/pingpong-kyb' }) {
  const sample = testing.samplePingPongKybFields('SM_KYC_REVIEW');
  return {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    body(seq) {
      const fields = { ...sample, bizId: `SM${seq}` };
      return JSON.stringify({ ...fields, sign: testing.signPingPongKyb(fields, secret) });
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

module.exports = { cryptoGatewayRequests, pingPongKybRequests, cardIssuingRequests };
