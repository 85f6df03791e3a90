'use strict';
// Starts the example merchant app. Secrets come from the environment, with
// development defaults so `npm run example` works on a fresh clone.
const { createApp } = require('./app');
const { sgateSecrets } = require('./sgate-dev-keys');

const secrets = {
  pay247: process.env.PAY247_KEY || 'pay247-dev-key',
  sgate: sgateSecrets(console.log),
  cardIssuing: process.env.CARD_ISSUING_TOKEN || 'card-issuing-dev-token-0123456789',
  pingpongKyb: process.env.PINGPONG_SALT || 'pingpong-dev-salt',
  cryptoGateway: process.env.CRYPTO_GATEWAY_KEY || 'crypto-gateway-dev-key',
};

const port = Number(process.env.PORT || 3000);
const { app } = createApp({ secrets });
const server = app.listen(port, '127.0.0.1', () => {
  const { port: actual } = server.address();
  console.log(`merchant app listening on http://127.0.0.1:${actual}`);
  console.log('  POST /notify/pay247   (secret from PAY247_KEY)');
  console.log('  POST /notify/sgate    (SGATE_PUBLIC_KEY, SGATE_API_KEY, optional SGATE_MERCHANT_KEY)');
  console.log('  POST /notify/card-issuing?token=<CARD_ISSUING_TOKEN>   (register this URL with the provider)');
  console.log('  POST /notify/pingpong-kyb   (salt from PINGPONG_SALT)');
  console.log('  POST /notify/crypto   (key from CRYPTO_GATEWAY_KEY)');
  console.log('  GET  /orders');
});
