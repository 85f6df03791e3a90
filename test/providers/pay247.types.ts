// Type-level checks, compiled by `npm run typecheck`: `data` narrows by `type`.
import type { Pay247Event } from '../../lib';

export function narrowing(event: Pay247Event): string {
  if (event.type === 'payout.failed') {
    const status: 3 | '3' = event.data.status;
    return event.data.remarks + String(status);
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
