// app/webhooks/pay247/route.js (Next.js App Router)
import { createPay247WebhookHandler } from 'express-payment-webhooks/fetch';
import orders from './orders.js';

// Node's runtime: the dedup store and the inbox need Node APIs.
export const runtime = 'nodejs';

export const POST = createPay247WebhookHandler({
  secret: process.env.PAY247_SECRET,
  onEvent: async (event) => {
    if (event.type === 'payout.succeeded') await orders.markPaid(event.data.out_order_no);
  },
});
