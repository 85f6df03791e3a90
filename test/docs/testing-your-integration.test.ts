// @ts-nocheck: the example is the JavaScript a merchant copies.
/**
 * The "Testing your integration" example of docs/testing.md, run as a merchant would
 * run it (against the built package: npm test builds first). The code between
 * the markers must appear in docs/testing.md exactly, so the page cannot drift
 * from code that works.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export {};

// docs example: begin
const express = require('express');
const request = require('supertest');
const { createPay247WebhookMiddleware } = require('express-payment-webhooks');
const { buildPay247Notification, deliverLikeProvider, PROVIDER_SIDES } = require('express-payment-webhooks/testing');

// Your app as production builds it (usually imported from your code).
function createApp({ secret, db }) {
  const app = express();
  app.post('/notify/pay247', createPay247WebhookMiddleware({
    secret,
    onEvent: async (event) => {
      if (event.type === 'payout.succeeded') {
        const order = 'mch_order_no' in event.data ? event.data.mch_order_no : event.data.out_order_no;
        await db.markPaid(order, event.data.amount);
      }
    },
  }));
  return app;
}

describe('Pay247 notifications', () => {
  const secret = 'test-key';
  let paid;
  const db = { markPaid: async (order, amount) => paid.push([order, amount]) };
  beforeEach(() => { paid = []; });

  test('a paid payout marks the order paid, once', async () => {
    const app = createApp({ secret, db });
    const n = buildPay247Notification({ secret, fields: { out_order_no: 'A1', status: 2 } });
    await request(app).post('/notify/pay247').set(n.headers).send(n.body).expect(200, 'SUCCESS');
    await request(app).post('/notify/pay247').set(n.headers).send(n.body).expect(200, 'SUCCESS'); // a retry
    expect(paid).toEqual([['A1', '100.0000']]);
  });

  test('a forged notification is refused', async () => {
    const n = buildPay247Notification({ secret: 'not-the-key', fields: { out_order_no: 'A2', status: 2 } });
    await request(createApp({ secret, db })).post('/notify/pay247').set(n.headers).send(n.body).expect(401, 'fail');
    expect(paid).toEqual([]);
  });

  test('when the database fails once, Pay247 retries and the retry succeeds', async () => {
    let down = true;
    const flaky = { markPaid: async (...args) => { if (down) { down = false; throw new Error('db down'); } return db.markPaid(...args); } };
    const server = createApp({ secret, db: flaky }).listen(0);
    const report = await deliverLikeProvider({
      url: `http://127.0.0.1:${server.address().port}/notify/pay247`,
      notification: buildPay247Notification({ secret, fields: { out_order_no: 'A3', status: 2 } }),
      side: PROVIDER_SIDES.pay247,   // Pay247's ack rule and retry schedule
      speed: 1000,                   // its 3 s wait takes 3 ms
    });
    server.close();
    expect(report.attempts.map((a) => a.answer.status)).toEqual([500, 200]);
    expect(report.acknowledged).toBe(true);
    expect(paid).toEqual([['A3', '100.0000']]);
  });
});
// docs example: end

test('docs/testing.md shows exactly this example', () => {
  const source = readFileSync(__filename, 'utf8');
  const example = source.slice(source.indexOf('// docs example: begin\n') + 23, source.indexOf('// docs example: end'));
  const readme = readFileSync(join(__dirname, '..', '..', 'docs', 'testing.md'), 'utf8');
  expect(example.length).toBeGreaterThan(500);
  expect(readme).toContain(example);
});
