'use strict';
const Fastify = require('fastify');
const { createPay247WebhookHandler } = require('express-payment-webhooks/fastify');
const orders = require('./orders');

const app = Fastify();

// The plugin routes its path in a context of its own, with a parser that keeps
// the raw body: the app's JSON parsing stays as it is for every other route.
app.register(
  createPay247WebhookHandler({
    secret: process.env.PAY247_SECRET,
    onEvent: async (event) => {
      if (event.type !== 'payout.succeeded') return;
      // Your order number: out_order_no in a legacy notification, mch_order_no in the current API's.
      await orders.markPaid('mch_order_no' in event.data ? event.data.mch_order_no : event.data.out_order_no);
    },
  }),
  { path: '/webhooks/pay247' },
);

module.exports = app;
if (require.main === module) app.listen({ port: Number(process.env.PORT || 3000) });
