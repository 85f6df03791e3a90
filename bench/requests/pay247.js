'use strict';
// Pay247 notifications as Pay247 sends them, made with the package's own
// testing kit: the documented sample payout, signed, with the order numbers made
// from `seq` so that every body is a distinct notification.
const { buildPay247Notification } = require('../../dist/testing');

/** A request generator: what to POST where, and the body for sequence number `seq`. */
function pay247Requests({ secret, format = 'json', path = '/notify/pay247' }) {
  // A v1.0 form carries every value as a string; v2.0 JSON keeps status and timestamps numbers.
  const build = (fields) => buildPay247Notification({ secret, format, fields });
  return {
    method: 'POST',
    path,
    headers: build().headers,
    body(seq) {
      return build({ order_no: `MP${seq}`, out_order_no: `O${seq}` }).body;
    },
  };
}

module.exports = { pay247Requests };
