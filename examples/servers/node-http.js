'use strict';
const http = require('node:http');
const { createPay247WebhookHandler } = require('express-payment-webhooks/node');
const orders = require('./orders');

const pay247 = createPay247WebhookHandler({
  secret: process.env.PAY247_SECRET,
  onEvent: async (event) => {
    if (event.type !== 'payout.succeeded') return;
    // Your order number: out_order_no in a legacy notification, mch_order_no in the current API's.
    await orders.markPaid('mch_order_no' in event.data ? event.data.mch_order_no : event.data.out_order_no);
  },
});

const server = http.createServer((req, res) => {
  if (req.url === '/webhooks/pay247') return pay247(req, res);
  res.writeHead(404).end();
});

module.exports = server;
if (require.main === module) server.listen(Number(process.env.PORT || 3000));
