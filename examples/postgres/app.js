'use strict';
// Pay247 payouts recorded in the merchant's own PostgreSQL, exactly once:
// with `transactional: true` the handler's writes (through ctx.db) and
// "this notification was handled" commit in one transaction, or not at all.
const express = require('express');
const { createPay247WebhookMiddleware, PostgresDedupStore } = require('express-payment-webhooks');

/** The merchant's own table; the package creates its epw_dedup table itself. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS payouts (
  order_no text NOT NULL,
  out_order_no text NOT NULL,
  amount numeric NOT NULL,
  state text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);`;

/** `pool`: the app's pg Pool, shared by the store and the app's own queries. */
function createApp({ pool, secret, log = console.log }) {
  const app = express();
  const store = new PostgresDedupStore({ pool });
  app.post(
    '/notify/pay247',
    createPay247WebhookMiddleware({
      secret,
      store,
      transactional: true,
      onEvent: async (event, ctx) => {
        const state = { 'payout.succeeded': 'paid', 'payout.failed': 'payout-failed' }[event.type] ?? 'payout-pending';
        // ctx.db, not pool: this write commits with the done marker, or is rolled back with it.
        await ctx.db.query('INSERT INTO payouts (order_no, out_order_no, amount, state) VALUES ($1, $2, $3, $4)', [
          event.data.order_no,
          event.data.out_order_no,
          event.data.amount,
          state,
        ]);
        log(`pay247: ${event.type} for order ${event.data.out_order_no} (${event.data.amount}) → ${state}`);
      },
      onError: (err) => log(`pay247: refused ${err.code} (${err.status}): ${err.message}`),
    }),
  );
  app.get('/payouts', async (_req, res) => {
    const { rows } = await pool.query('SELECT order_no, out_order_no, amount, state FROM payouts ORDER BY recorded_at');
    res.json(rows);
  });
  return app;
}

module.exports = { createApp, SCHEMA };
