'use strict';
const http = require('node:http');
const { createPay247WebhookHandler } = require('express-payment-webhooks/node');
const orders = require('./orders');

const pay247 = createPay247WebhookHandler({
  secret: process.env.PAY247_SECRET,
  onEvent: async (event) => {
    if (event.type === 'payout.succeeded') await orders.markPaid(event.data.out_order_no);
  },
});

const server = http.createServer((req, res) => {
  if (req.url === '/webhooks/pay247') return pay247(req, res);
  res.writeHead(404).end();
});

module.exports = server;
if (require.main === module) server.listen(Number(process.env.PORT || 3000));
