import { Hono } from 'hono';
import { createPay247WebhookHandler } from 'express-payment-webhooks/fetch';
import orders from './orders.js';

const pay247 = createPay247WebhookHandler({
  secret: process.env.PAY247_SECRET,
  onEvent: async (event) => {
    if (event.type !== 'payout.succeeded') return;
    // Your order number: out_order_no in a legacy notification, mch_order_no in the current API's.
    await orders.markPaid('mch_order_no' in event.data ? event.data.mch_order_no : event.data.out_order_no);
  },
});

const app = new Hono();
// c.req.raw is the Fetch API Request, its body not yet read.
app.post('/webhooks/pay247', (c) => pay247(c.req.raw));

export default app;
