'use strict';
// A development-only `authorize` for the inbox dashboard: HTTP Basic with one
// user and a password the example prints at start. In production, use your
// own sign-in (session, SSO, VPN-only route) and return the operator's name.
const { createHash, timingSafeEqual } = require('node:crypto');

const digest = (text) => createHash('sha256').update(text, 'utf8').digest();

function devBasicAuth(user, password) {
  const expected = digest(`${user}:${password}`);
  return (req) => {
    const [scheme, encoded] = (req.headers.authorization || '').split(' ');
    const given = scheme === 'Basic' && encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
    // Digests have one length, so the comparison is constant-time whatever was sent.
    if (given !== '' && timingSafeEqual(digest(given), expected)) return user;
    return { deny: 401, challenge: 'Basic realm="webhook inbox (development)", charset="UTF-8"' };
  };
}

module.exports = { devBasicAuth };
