// Runs each examples/servers/* app as its server would: a signed notification
// and a forged one, then whether the merchant's code ran. One JSON line per
// example. (A child process: the examples import the package by its name,
// and two of them are ES modules.)
import { createRequire } from 'node:module';
import { createServer } from 'node:http';

const require = createRequire(import.meta.url);
const { buildPay247Notification } = require('express-payment-webhooks/testing');
const { fetchBridge } = require('../../bench/servers/fetch-bridge.js');
const examples = new URL('../../examples/servers/', import.meta.url);
const orders = require(new URL('orders.js', examples).pathname);
const SECRET = process.env.PAY247_SECRET;

/** Listens on a free loopback port; returns its base URL and a close(). */
function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ base: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) })));
}

const SERVERS = {
  'node-http.js': async () => listen(require(new URL('node-http.js', examples).pathname)),
  'fastify.js': async () => {
    const app = require(new URL('fastify.js', examples).pathname);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { base: `http://127.0.0.1:${app.server.address().port}`, close: () => app.close() };
  },
  'koa.js': async () => listen(createServer(require(new URL('koa.js', examples).pathname).callback())),
  'hono.mjs': async () => {
    const app = (await import(new URL('hono.mjs', examples))).default;
    return listen(createServer(fetchBridge((request) => app.fetch(request))));
  },
  // Next.js calls the exported POST with the Request of a route: the bridge stands in for it.
  'nextjs-route.mjs': async () => {
    const { POST } = await import(new URL('nextjs-route.mjs', examples));
    return listen(createServer(fetchBridge((request) => POST(request))));
  },
};

for (const [name, start] of Object.entries(SERVERS)) {
  const { base, close } = await start();
  const url = `${base}/webhooks/pay247`;
  const send = async (n) => {
    const response = await fetch(url, { method: 'POST', headers: n.headers, body: n.body });
    return { status: response.status, body: await response.text() };
  };
  const n = buildPay247Notification({ secret: SECRET });
  const handled = await send(n);
  const forged = await send({ ...n, body: n.body.replace('100.0000', '900.0000') });
  const again = await send(n);
  // The current API's payout notification names your order mch_order_no.
  const current = buildPay247Notification({ secret: SECRET, format: 'current' });
  const handledCurrent = await send(current);
  const paid = orders.isPaid(n.fields.out_order_no) && orders.isPaid(current.fields.mch_order_no);
  console.log(JSON.stringify({ name, handled, forged, again, handledCurrent, paid }));
  await close();
}
