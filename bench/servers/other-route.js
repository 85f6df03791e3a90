'use strict';
// A second, unrelated route of the same app (an order page, say): measured
// while the webhook route is under load, it shows whether the webhook path
// keeps the rest of the app responsive (bench/harness/load.js runProbe).
const OTHER_ROUTE_PATH = '/app/orders/recent';

const ORDERS = Array.from({ length: 20 }, (_, i) => ({ id: `order-${i}`, amount: (i + 1) * 100, currency: 'USD', status: i % 3 === 0 ? 'paid' : 'pending' }));

/** Mounts it on an Express app: a small JSON answer built per request, as a real page's handler would. */
function mountOtherRoute(app) {
  app.get(OTHER_ROUTE_PATH, (_req, res) => {
    res.json({ orders: ORDERS.filter((order) => order.status === 'paid'), at: Date.now() });
  });
}

module.exports = { OTHER_ROUTE_PATH, mountOtherRoute };
