'use strict';
// Starts the example merchant app. Secrets come from the environment, with
// development defaults so `npm run example` works on a fresh clone; every
// default in use is printed, so test notifications can be signed with it.
const { randomBytes } = require('node:crypto');
const { SqliteInbox } = require('express-payment-webhooks');
const { createApp } = require('./app');
const { devBasicAuth } = require('./dev-basic-auth');
const { inboxFile } = require('./dev-inbox');
const { sgateSecrets, DEV_KEYS_DIR } = require('./sgate-dev-keys');

/** The environment's value, or the development default (said out loud). */
function secret(variable, fallback) {
  if (process.env[variable]) return process.env[variable];
  console.log(`${variable} is not set: using the DEVELOPMENT value "${fallback}".`);
  return fallback;
}

const secrets = {
  pay247: secret('PAY247_KEY', 'pay247-dev-key'),
  sgate: sgateSecrets(console.log, process.env.DEV_KEYS_DIR || DEV_KEYS_DIR),
  cardIssuing: secret('CARD_ISSUING_TOKEN', 'card-issuing-dev-token-0123456789'),
  pingpongKyb: secret('PINGPONG_SALT', 'pingpong-dev-salt'),
  cryptoGateway: secret('CRYPTO_GATEWAY_KEY', 'crypto-gateway-dev-key'),
};

// Notifications are stored in a durable inbox (INBOX_DB, or a temporary one in
// development), acked at once and delivered from there; the dashboard shows them.
const production = process.env.NODE_ENV === 'production';
const file = inboxFile(console.log);
const inbox = file ? new SqliteInbox({ path: file.path }) : undefined;
if (file) process.once('exit', file.remove);
// The dashboard's password is for development only: printed below, new each
// start unless DASHBOARD_PASSWORD is set. Never mounted with it in production.
const dashboardPassword = inbox && !production ? process.env.DASHBOARD_PASSWORD || randomBytes(12).toString('base64url') : undefined;
const dashboard = dashboardPassword ? { authorize: devBasicAuth('ops', dashboardPassword) } : undefined;

const port = Number(process.env.PORT || 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number (0 to 65535), not "${process.env.PORT}".`);
  process.exit(1);
}
const { app } = createApp({ secrets, inbox, dashboard });
// Express 5 hands a listen error to this callback, Express 4 only emits it: both end in cannotListen.
const server = app.listen(port, '127.0.0.1', (error) => {
  if (error) return cannotListen(error);
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
    // Only in production: its development password is refused there.
    console.log(`  (inbox dashboard not mounted: NODE_ENV=production refuses its development password; mount createInboxDashboard with your own authorize${inbox ? '' : ', and set INBOX_DB for an inbox'})`);
  }
});
server.on('error', cannotListen);

/** Why the app cannot start, in words, and exit 1 (no stack trace: nothing here is a bug). */
function cannotListen(error) {
  if (error.code === 'EADDRINUSE') {
    console.error(`Port ${port} on 127.0.0.1 is already in use (another app, or this one still running). Stop it, or start with PORT=<another port> (PORT=0 picks a free one).`);
  } else if (error.code === 'EACCES') {
    console.error(`Not allowed to listen on port ${port}: ports below 1024 need privileges. Start with PORT=3000, or any port from 1024 up.`);
  } else {
    console.error(`Could not listen on 127.0.0.1:${port}: ${error.message}`);
  }
  process.exit(1);
}

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
