'use strict';
// The example merchant app: one route per provider, each a single line of
// configuration plus the work to do. `createApp` is also used by the demo and
// the tests, so what they show is what runs here.
const express = require('express');
const { createPay247WebhookMiddleware } = require('express-payment-webhooks');
const { Orders } = require('./orders');

function createApp({ secrets, store, log = console.log, failNext = () => false } = {}) {
  const app = express();
  const orders = new Orders();

  // ---- Pay247 payouts (form v1.0 or JSON v2.0) ----
  app.post(
    '/notify/pay247',
    createPay247WebhookMiddleware({
      secret: secrets.pay247,
      store,
      onEvent: async (event) => {
        if (failNext('pay247')) throw new Error('simulated outage in the order database');
        // Act only on final states, as Pay247 asks; earlier states are just recorded.
        const state = { 'payout.succeeded': 'paid', 'payout.failed': 'payout-failed' }[event.type] ?? 'payout-pending';
        const order = orders.upsert(event.data.out_order_no, { state, amount: event.data.amount });
        log(`pay247: ${event.type} for order ${order.id} (${event.data.amount}) → ${order.state}`);
      },
      onError: (err) => log(`pay247: refused ${err.code} (${err.status}): ${err.message}`),
    }),
  );

  // ---- more providers are mounted below ----

  app.get('/orders', (_req, res) => res.json(orders.all()));
  return { app, orders };
}

module.exports = { createApp };
