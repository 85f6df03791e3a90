'use strict';
// Starts the example merchant app. Secrets come from the environment, with
// development defaults so `npm run example` works on a fresh clone.
const { randomBytes } = require('node:crypto');
const { SqliteInbox } = require('express-payment-webhooks');
const { createApp } = require('./app');
const { devBasicAuth } = require('./dev-basic-auth');
const { sgateSecrets } = require('./sgate-dev-keys');

const secrets = {
  pay247: process.env.PAY247_KEY || 'pay247-dev-key',
  sgate: sgateSecrets(console.log),
  cardIssuing: process.env.CARD_ISSUING_TOKEN || 'card-issuing-dev-token-0123456789',
  pingpongKyb: process.env.PINGPONG_SALT || 'pingpong-dev-salt',
  cryptoGateway: process.env.CRYPTO_GATEWAY_KEY || 'crypto-gateway-dev-key',
};

// INBOX_DB=./webhooks-inbox.db: notifications are stored in a durable inbox,
// acked at once and delivered from there; the inbox dashboard shows them.
const inbox = process.env.INBOX_DB ? new SqliteInbox({ path: process.env.INBOX_DB }) : undefined;
// The dashboard's password is for development only: printed below, new each
// start unless DASHBOARD_PASSWORD is set. Never mounted with it in production.
const dashboardPassword = inbox && process.env.NODE_ENV !== 'production' ? process.env.DASHBOARD_PASSWORD || randomBytes(12).toString('base64url') : undefined;
const dashboard = dashboardPassword ? { authorize: devBasicAuth('ops', dashboardPassword) } : undefined;

const port = Number(process.env.PORT || 3000);
const { app } = createApp({ secrets, inbox, dashboard });
const server = app.listen(port, '127.0.0.1', () => {
  const { port: actual } = server.address();
  console.log(`merchant app listening on http://127.0.0.1:${actual}`);
  console.log('  POST /notify/pay247   (secret from PAY247_KEY)');
  console.log('  POST /notify/sgate    (SGATE_PUBLIC_KEY, SGATE_API_KEY, optional SGATE_MERCHANT_KEY)');
  console.log('  POST /notify/card-issuing?token=<CARD_ISSUING_TOKEN>   (register this URL with the provider)');
  console.log('  POST /notify/pingpong-kyb   (salt from PINGPONG_SALT)');
  console.log('  POST /notify/crypto   (key from CRYPTO_GATEWAY_KEY)');
  console.log('  GET  /orders');
  if (dashboard) {
    console.log(`  GET  /admin/webhooks   inbox dashboard; user ops, password ${dashboardPassword} (development only)`);
  } else {
    console.log(inbox ? '  (inbox dashboard not mounted in production: give it your own authorize)' : '  (set INBOX_DB=./webhooks-inbox.db for a durable inbox and its dashboard at /admin/webhooks)');
  }
});

// With an inbox, running deliveries finish (or time out) before it closes.
if (inbox) {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      server.close();
      server.closeAllConnections();
      inbox.close().then(() => process.exit(0));
    });
  }
}
