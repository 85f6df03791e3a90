// Type-level checks, compiled by `npm run typecheck`: `data` narrows by `type`, then by format.
import type { Pay247Event } from '../../lib';

export function narrowing(event: Pay247Event): string {
  if (event.type === 'payout.failed') {
    const status: 3 | '3' | 'FAIL' = event.data.status;
    // @ts-expect-error a failed payout may be a current-API one, which has no remarks
    const remarks: string = event.data.remarks;
    if (event.data.status === 'FAIL') return event.data.error + event.data.mch_order_no;
    return event.data.remarks + String(status) + remarks;
  }
  if (event.type === 'payout.succeeded') {
    // @ts-expect-error a succeeded payout never has status 3
    const wrong: 3 = event.data.status;
    return String(wrong);
  }
  // @ts-expect-error amounts are strings, never numbers
  const amount: number = event.data.amount;
  return String(amount);
}

export function switchNarrows(event: Pay247Event): string {
  switch (event.type) {
    case 'payin.refunded': {
      const status: 'REFUND' = event.data.status;
      // @ts-expect-error a payin has no legacy fields
      const outOrderNo: string = event.data.out_order_no;
      return status + event.data.paid_at + outOrderNo;
    }
    case 'payin.closed':
      return event.data.mch_order_no;
    case 'payout.processing':
      if ('mch_order_no' in event.data) {
        const dealing: 'DEALING' = event.data.status;
        return dealing;
      }
      {
        const legacy: 1 | '1' = event.data.status;
        return event.data.out_order_no + String(legacy);
      }
    case 'payin.succeeded':
      // @ts-expect-error a succeeded payin is never FAIL
      return event.data.status === 'FAIL' ? '' : event.data.currency;
    default:
      return event.type;
  }
}

export function exhaustive(event: Pay247Event): number {
  switch (event.type) {
    case 'payout.pending':
    case 'payout.processing':
    case 'payout.succeeded':
    case 'payout.failed':
      return 1;
    case 'payin.pending':
    case 'payin.processing':
    case 'payin.closed':
    case 'payin.succeeded':
    case 'payin.failed':
    case 'payin.refunded':
      return 2;
    default: {
      const none: never = event;
      return none;
    }
  }
}
