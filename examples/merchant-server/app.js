'use strict';
// The example merchant app: one route per provider, each a single line of
// configuration plus the work to do. `createApp` is also used by the demo and
// the tests, so what they show is what runs here.
const express = require('express');
const { createPay247WebhookMiddleware } = require('express-payment-webhooks');
const {
  createPingPongKybWebhookMiddleware,
  PINGPONG_SENDER_IPS,
  createCryptoGatewayWebhookMiddleware,
} = require('express-payment-webhooks');
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

  // ---- PingPong KYB (sub-merchant and store reviews) ----
  app.post(
    '/notify/pingpong-kyb',
    createPingPongKybWebhookMiddleware({
      secret: secrets.pingpongKyb,
      store,
      // status, comment and reviewDetail are not signed by PingPong: in production, accept only
      // its published senders (and/or re-query the review in `confirm`).
      allowIps: process.env.NODE_ENV === 'production' ? PINGPONG_SENDER_IPS.production : undefined,
      onEvent: async (event) => {
        if (failNext('pingpong-kyb')) throw new Error('simulated outage in the merchant database');
        log(`pingpong-kyb: ${event.type} ${event.data.bizId} → ${event.data.status} (verified: ${event.signedFields.join(', ')})`);
      },
      onError: (err) => log(`pingpong-kyb: refused ${err.code} (${err.status}): ${err.message}`),
    }),
  );

  // ---- crypto gateway (deposits and withdrawals; form, JSON or XML) ----
  app.post(
    '/notify/crypto',
    createCryptoGatewayWebhookMiddleware({
      secret: secrets.cryptoGateway,
      store,
      onEvent: async (event) => {
        if (failNext('crypto-gateway')) throw new Error('simulated outage in the wallet ledger');
        const ok = event.data.status === '1';
        const id = event.type === 'transfer' && event.data.ordid ? event.data.ordid : `${event.type}:${event.data.txid}`;
        const state = event.type === 'recharge' ? (ok ? 'deposited' : 'deposit-failed') : ok ? 'withdrawn' : 'withdrawal-failed';
        const order = orders.upsert(id, { state, amount: `${event.data.balance} ${event.data.symbol}` });
        log(`crypto-gateway: ${event.type} ${order.id} (${order.amount}) → ${order.state}`);
      },
      onError: (err) => log(`crypto-gateway: refused ${err.code} (${err.status}): ${err.message}`),
    }),
  );

  app.get('/orders', (_req, res) => res.json(orders.all()));
  return { app, orders };
}

module.exports = { createApp };
