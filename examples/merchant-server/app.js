'use strict';
// The example merchant app: one route per provider, each a single line of
// configuration plus the work to do. `createApp` is also used by the demo and
// the tests, so what they show is what runs here.
const express = require('express');
const {
  createPay247WebhookMiddleware,
  createSgateWebhookMiddleware,
  createCardIssuingWebhookMiddleware,
  createPingPongKybWebhookMiddleware,
  createCryptoGatewayWebhookMiddleware,
  PINGPONG_SENDER_IPS,
  isEventType,
  createInboxDashboard,
} = require('express-payment-webhooks');
const { Orders } = require('./orders');

/**
 * `log` gets the app's own lines (the work done); `logger` the package's
 * (a refusal or a failure, one line each). Default for both: the console.
 * `inbox` (optional): every route stores notifications there and acks at once;
 * `dashboard` ({ authorize }, with an inbox) mounts the inbox's page at /admin/webhooks.
 */
function createApp({ secrets, store, inbox, dashboard, log = console.log, logger, failNext = () => false } = {}) {
  const app = express();
  const orders = new Orders();
  if (inbox && dashboard) app.use('/admin/webhooks', createInboxDashboard({ inbox, authorize: dashboard.authorize }));
  // What every route shares. No onError needed: the package logs each refusal and failure itself.
  const common = { store, inbox, logger };

  // ---- Pay247 payouts (form v1.0 or JSON v2.0) ----
  app.post(
    '/notify/pay247',
    createPay247WebhookMiddleware({
      secret: secrets.pay247,
      ...common,
      onEvent: async (event) => {
        if (failNext('pay247')) throw new Error('simulated outage in the order database');
        // Act only on final states, as Pay247 asks; earlier states are just recorded.
        const state = { 'payout.succeeded': 'paid', 'payout.failed': 'payout-failed' }[event.type] ?? 'payout-pending';
        const order = orders.upsert(event.data.out_order_no, { state, amount: event.data.amount });
        log(`pay247: ${event.type} for order ${order.id} (${event.data.amount}) → ${order.state}`);
      },
    }),
  );

  // ---- more providers are mounted below ----

  // ---- SGATE (customers, payouts, transfers; RSA-signed raw JSON) ----
  app.post(
    '/notify/sgate',
    createSgateWebhookMiddleware({
      publicKey: secrets.sgate.publicKey,
      apiKey: secrets.sgate.apiKey,
      privateKey: secrets.sgate.privateKey, // optional: sensitive fields arrive decrypted
      ...common,
      onEvent: async (event) => {
        if (failNext('sgate')) throw new Error('simulated outage in the order database');
        if (isEventType(event, 'SALARY_STATUS_CHANGE')) {
          // SGATE's status codes are its own; record them as they come.
          const order = orders.upsert(`sgate-${event.data.ticketid}`, { state: `sgate-status-${event.data.status}`, amount: String(event.data.amount) });
          log(`sgate: payout ${event.data.ticketid} (${event.data.amount} ${event.data.currency}) → ${order.state}`);
        } else {
          // Never log the sensitive fields (identity, cardno, stcaccount, ...).
          log(`sgate: ${event.type} (${event.id})`);
        }
      },
    }),
  );

  // ---- card-issuing OPEN-API (token in the registered callback URL) ----
  app.post(
    '/notify/card-issuing',
    createCardIssuingWebhookMiddleware({
      secret: secrets.cardIssuing,
      ...common,
      onEvent: async (event) => {
        if (failNext('card-issuing')) throw new Error('simulated outage in the card ledger');
        // Card events carry card_no, cvv and pin: log ids only.
        const subject = event.type.startsWith('card.status.') ? `card ${event.data.card_id}` : `notification ${event.id}`;
        log(`card-issuing: ${event.type} for ${subject}`);
      },
    }),
  );

  // ---- PingPong KYB (sub-merchant and store reviews) ----
  app.post(
    '/notify/pingpong-kyb',
    createPingPongKybWebhookMiddleware({
      secret: secrets.pingpongKyb,
      ...common,
      // status, comment and reviewDetail are not signed by PingPong: in production, accept only
      // its published senders (and/or re-query the review in `confirm`). In development the
      // simulator posts from this machine, so the unsigned fields are accepted as sent.
      ...(process.env.NODE_ENV === 'production' ? { allowIps: PINGPONG_SENDER_IPS.production } : { acceptUnsignedStatus: true }),
      onEvent: async (event) => {
        if (failNext('pingpong-kyb')) throw new Error('simulated outage in the merchant database');
        log(`pingpong-kyb: ${event.type} ${event.data.bizId} → ${event.data.status} (verified: ${event.signedFields.join(', ')})`);
      },
    }),
  );

  // ---- crypto gateway (deposits and withdrawals; form, JSON or XML) ----
  app.post(
    '/notify/crypto',
    createCryptoGatewayWebhookMiddleware({
      secret: secrets.cryptoGateway,
      ...common,
      onEvent: async (event) => {
        if (failNext('crypto-gateway')) throw new Error('simulated outage in the wallet ledger');
        const ok = event.data.status === '1';
        const id = event.type === 'transfer' && event.data.ordid ? event.data.ordid : `${event.type}:${event.data.txid}`;
        const state = event.type === 'recharge' ? (ok ? 'deposited' : 'deposit-failed') : ok ? 'withdrawn' : 'withdrawal-failed';
        const order = orders.upsert(id, { state, amount: `${event.data.balance} ${event.data.symbol}` });
        log(`crypto-gateway: ${event.type} ${order.id} (${order.amount}) → ${order.state}`);
      },
    }),
  );

  app.get('/orders', (_req, res) => res.json(orders.all()));
  return { app, orders };
}

module.exports = { createApp };
