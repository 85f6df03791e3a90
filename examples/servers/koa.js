'use strict';
const Koa = require('koa');
const bodyParser = require('koa-bodyparser');
const { Router } = require('@koa/router');
const { createPay247WebhookHandler } = require('express-payment-webhooks/koa');
const orders = require('./orders');

const app = new Koa();
const router = new Router();

router.post(
  '/webhooks/pay247',
  createPay247WebhookHandler({
    secret: process.env.PAY247_SECRET,
    onEvent: async (event) => {
      if (event.type !== 'payout.succeeded') return;
      // Your order number: out_order_no in a legacy notification, mch_order_no in the current API's.
      await orders.markPaid('mch_order_no' in event.data ? event.data.mch_order_no : event.data.out_order_no);
    },
  }),
);

// koa-bodyparser before the webhook is fine: it keeps the exact text as ctx.request.rawBody.
app.use(bodyParser());
app.use(router.routes());

module.exports = app;
if (require.main === module) app.listen(Number(process.env.PORT || 3000));
