import { randomBytes } from 'node:crypto';
import type { Notification } from './notification';

/** A card like the provider's sample (card status events), with fresh ids. Test data only: not a real card. */
export function sampleCardIssuingCard(): Record<string, unknown> {
  const suffix = randomBytes(6).toString('base64url');
  return {
    card_id: `cid_${suffix}`,
    order_id: `ord_${suffix}`,
    out_order_id: `platform_ord_${suffix}`,
    app_id: 100005,
    bin_id: 'cpi_6530de6a2f1c7',
    holder_id: '',
    card_no: '907152573585214424064',
    balance: 10,
    limit: 10,
    expiry: '03/28',
    cvv: '345',
    pin: '',
    status: 2,
    use_at: '2025-03-03 02:42:11',
    close_at: '',
    end_at: '',
    mark: '',
  };
}

export interface CardIssuingNotificationOptions {
  /** Default 'card.status.active'. */
  event?: string;
  /** Fields to set on the sample card (card.status.* events); for other events, the whole event_data. */
  data?: Record<string, unknown>;
  /** Default: a fresh id. */
  notifyId?: string;
  /** Default 1000001. */
  customerId?: number | string;
  /**
   * Sent as the X-Webhook-Token header. The provider itself only calls the URL
   * you registered: to test that form, POST to `cardIssuingCallbackUrl(url, token)`.
   */
  token?: string;
}

/** A complete card-issuing notification: `event_data` is the event's JSON inside a string, as the provider sends it. */
export function buildCardIssuingNotification(options: CardIssuingNotificationOptions = {}): Notification {
  const event = options.event ?? 'card.status.active';
  const data = event.startsWith('card.status.') ? { ...sampleCardIssuingCard(), ...options.data } : { ...options.data };
  const fields = {
    notify_id: options.notifyId ?? randomBytes(12).toString('hex').slice(0, 25),
    customer_id: options.customerId ?? 1000001,
    event,
    event_data: JSON.stringify(data),
  };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token !== undefined) headers['X-Webhook-Token'] = options.token;
  return { headers, body: JSON.stringify(fields), fields };
}

/** The callback URL to register with the provider: yours, with `token=<secret>` added to its query. */
export function cardIssuingCallbackUrl(url: string, token: string): string {
  const hash = url.indexOf('#');
  const base = hash === -1 ? url : url.slice(0, hash);
  return `${base}${base.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}
