'use strict';
// The merchant's own code, as small as it gets: the orders a paid payout settles.
const paid = new Set();

module.exports = {
  async markPaid(orderNo) {
    paid.add(orderNo);
  },
  isPaid: (orderNo) => paid.has(orderNo),
};
