'use strict';
// One instance of a merchant app, as run several times behind a load
// balancer. What makes that safe is `store`: every instance claims
// notifications in the same Redis, so whichever instance the provider
// reaches, each notification is handled once.
const { appendFileSync } = require('node:fs');
const express = require('express');
const { createPay247WebhookMiddleware, RedisDedupStore } = require('express-payment-webhooks');

const name = process.env.INSTANCE || `instance-${process.pid}`;
const store = new RedisDedupStore({ url: process.env.REDIS_URL || 'redis://127.0.0.1:6379' });

// Stdout, and optionally a file all instances append to: a stand-in for the
// database they would share (`run.js` and the tests count lines in it).
const logFile = process.env.LOG_FILE;
const log = (line) => {
  console.log(`[${name}] ${line}`);
  if (logFile) appendFileSync(logFile, `[${name}] ${line}\n`);
};

const app = express();
app.post(
  '/notify/pay247',
  createPay247WebhookMiddleware({
    secret: process.env.PAY247_KEY || 'pay247-dev-key',
    store,
    onEvent: async (event) => {
      // Your work: here, a write the instances share. Throw and Pay247 retries.
      log(`pay247: ${event.type} for order ${event.data.out_order_no} (${event.data.amount})`);
    },
    // The package's line for each refusal and failure, tagged with this instance's name.
    logger: { info: log, warn: log, error: log },
  }),
);

const server = app.listen(Number(process.env.PORT || 3001), '127.0.0.1', () => {
  console.log(`[${name}] listening on http://127.0.0.1:${server.address().port}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    store.close().finally(() => process.exit(0));
  });
}
