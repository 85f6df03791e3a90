'use strict';
// Starts the example merchant app. Secrets come from the environment, with
// development defaults so `npm run example` works on a fresh clone.
const { createApp } = require('./app');

const secrets = {
  pay247: process.env.PAY247_KEY || 'pay247-dev-key',
};

const port = Number(process.env.PORT || 3000);
const { app } = createApp({ secrets });
const server = app.listen(port, '127.0.0.1', () => {
  const { port: actual } = server.address();
  console.log(`merchant app listening on http://127.0.0.1:${actual}`);
  console.log('  POST /notify/pay247   (secret from PAY247_KEY)');
  console.log('  GET  /orders');
});
