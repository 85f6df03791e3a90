// app/webhooks/pay247/route.js (Next.js App Router)
import { createPay247WebhookHandler } from 'express-payment-webhooks/fetch';
import orders from './orders.js';

// Node's runtime: the dedup store and the inbox need Node APIs.
export const runtime = 'nodejs';

export const POST = createPay247WebhookHandler({
  secret: process.env.PAY247_SECRET,
  onEvent: async (event) => {
    if (event.type !== 'payout.succeeded') return;
    // Your order number: out_order_no in a legacy notification, mch_order_no in the current API's.
    await orders.markPaid('mch_order_no' in event.data ? event.data.mch_order_no : event.data.out_order_no);
  },
});
