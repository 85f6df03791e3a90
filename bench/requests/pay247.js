'use strict';
// Pay247 notifications as Pay247 sends them, made with the package's own
// testing kit: the seed's sample payout, signed, with the order numbers made
// from `seq` so that every body is a distinct notification.
const { encodeForm, samplePay247Fields, signPay247 } = require('../../dist/testing');

const CONTENT_TYPES = { json: 'application/json', form: 'application/x-www-form-urlencoded' };

/** A request generator: what to POST where, and the body for sequence number `seq`. */
function pay247Requests({ secret, format = 'json', path = '/notify/pay247' }) {
  // One sample, then only the order numbers change: a pool of 100 000 bodies takes
  // well under a second to sign.
  const sample = samplePay247Fields();
  return {
    method: 'POST',
    path,
    headers: { 'content-type': CONTENT_TYPES[format] },
    body(seq) {
      const fields = { ...sample, order_no: `MP${seq}`, out_order_no: `O${seq}` };
      // A v1.0 form carries every value as a string; v2.0 JSON keeps status and timestamps numbers.
      if (format === 'form') for (const key of Object.keys(fields)) fields[key] = String(fields[key]);
      fields.sign = signPay247(fields, secret);
      return format === 'json' ? JSON.stringify(fields) : encodeForm(fields);
    },
  };
}

module.exports = { pay247Requests };
