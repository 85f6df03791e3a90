'use strict';
// Starts the example merchant app. Secrets come from the environment, with
// development defaults so `npm run example` works on a fresh clone.
const { createApp } = require('./app');

const secrets = {
  pay247: process.env.PAY247_KEY || 'pay247-dev-key',
  pingpongKyb: process.env.PINGPONG_SALT || 'pingpong-dev-salt',
  cryptoGateway: process.env.CRYPTO_GATEWAY_KEY || 'crypto-gateway-dev-key',
};

const port = Number(process.env.PORT || 3000);
const { app } = createApp({ secrets });
app.listen(port, () => {
  console.log(`merchant app listening on http://127.0.0.1:${port}`);
  console.log("  POST /notify/pay247   (secret from PAY247_KEY)");
  console.log('  POST /notify/pingpong-kyb   (salt from PINGPONG_SALT)');
  console.log('  POST /notify/crypto   (key from CRYPTO_GATEWAY_KEY)');
  console.log('  GET  /orders');
});
