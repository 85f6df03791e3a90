'use strict';
// `DATABASE_URL=postgres://user:password@host:5432/shop node examples/postgres/server.js`
// (after `npm run build`). Creates the payouts table if missing, then serves
// POST /notify/pay247 (secret from PAY247_KEY) and GET /payouts.
const { Pool } = require('pg');
const { createApp, SCHEMA } = require('./app');

async function main() {
  if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL to your PostgreSQL, e.g. postgres://user:password@127.0.0.1:5432/shop');
  const pool = new Pool({ connectionString: process.env.DATABASE_URL });
  // An idle connection the server closed: pg drops it and opens another when needed.
  pool.on('error', (err) => console.error(`postgres: ${err.message}`));
  await pool.query(SCHEMA);
  const app = createApp({ pool, secret: process.env.PAY247_KEY || 'pay247-dev-key' });
  const server = app.listen(Number(process.env.PORT || 3000), '127.0.0.1', () => {
    console.log(`postgres example listening on http://127.0.0.1:${server.address().port}`);
    console.log('  POST /notify/pay247   (secret from PAY247_KEY)');
    console.log('  GET  /payouts');
  });
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
