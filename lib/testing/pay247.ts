import { randomBytes } from 'node:crypto';
import type { FlatFields } from '../body/fields';
import { md5Hex } from '../signing/digest';
import { sortedFieldString } from '../signing/sorted-fields';
import type { Notification } from './notification';
import { encodeForm } from './notification';

const EXCLUDED = new Set(['sign']);

export interface Pay247SignOptions {
  /** Sign empty values too, as Pay247's reference signers do. Default false, as its prose says. */
  keepEmpty?: boolean;
}

/** The `sign` Pay247 puts on these fields: sorted `k=v&…` + key, MD5, lowercase hex. */
export function signPay247(fields: Readonly<Record<string, string | number | null>>, secret: string, options: Pay247SignOptions = {}): string {
  const canonical = sortedFieldString(fields as FlatFields, { exclude: EXCLUDED, skipEmpty: !options.keepEmpty });
  return md5Hex(canonical.text + secret);
}

/**
 * The body a notification takes: the legacy payout as v2.0 JSON (`json`) or a
 * v1.0 form (`form`), or the current API's JSON (`current`).
 */
export type Pay247Format = 'json' | 'form' | 'current';

export interface Pay247NotificationOptions extends Pay247SignOptions {
  secret: string;
  /** Default 'json' (the legacy payout); 'current' for a payin. */
  format?: Pay247Format;
  /** A payout (default) or, in the current API only, a payin (collection). */
  notification?: 'payout' | 'payin';
  /** Fields to set or override on the sample. */
  fields?: Readonly<Record<string, string | number | null>>;
}

function freshOrderNumbers(): { pay247: string; yours: string } {
  return { pay247: `MP${Date.now()}${randomBytes(4).toString('hex')}`, yours: `${Date.now()}${randomBytes(3).toString('hex')}` };
}

/** The documented sample legacy payout notification, with fresh order numbers. */
export function samplePay247Fields(): Record<string, string | number> {
  const now = Math.floor(Date.now() / 1000);
  const order = freshOrderNumbers();
  return {
    mch_id: '12345678',
    order_no: order.pay247,
    out_order_no: order.yours,
    bank_name: '中国农业银行',
    bank_code: 'ABC',
    bank_branch: '深圳支行',
    account_name: '胡歌',
    account_no: '622848998832432432',
    amount: '100.0000',
    fee: '2.00',
    receipt: 'http://abc.com/abc.jpg',
    status: 2,
    resolved_timestamp: now,
    created_timestamp: now,
    remarks: '',
  };
}

/** The documented sample current-API payout (or, without `receipt`, payin) notification, with fresh order numbers. */
export function samplePay247CurrentFields(notification: 'payout' | 'payin' = 'payout'): Record<string, string | number> {
  const order = freshOrderNumbers();
  const fields: Record<string, string | number> = {
    mch_id: 'MCH12345678',
    mch_order_no: order.yours,
    order_no: order.pay247,
    currency: 'USD',
    amount: '100.11',
    fee: '2.00',
    pay_method: 'BANK',
    status: 'SUCCESS',
    paid_at: Date.now(),
    error: '',
  };
  if (notification === 'payout') fields.receipt = 'https://abc.com/abc.jpg';
  return fields;
}

/** A complete, correctly signed Pay247 notification, ready to POST. */
export function buildPay247Notification(options: Pay247NotificationOptions): Notification {
  const notification = options.notification ?? 'payout';
  const format = options.format ?? (notification === 'payin' ? 'current' : 'json');
  if (notification === 'payin' && format !== 'current') throw new TypeError("buildPay247Notification: a payin is a current-API notification (format 'current').");
  const sample = format === 'current' ? samplePay247CurrentFields(notification) : samplePay247Fields();
  const fields: Record<string, string | number | null> = { ...sample, ...options.fields };
  if (format === 'form') for (const key of Object.keys(fields)) fields[key] = fields[key] === null ? '' : String(fields[key]);
  fields.sign = signPay247(fields, options.secret, options);
  return format === 'form'
    ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: encodeForm(fields), fields }
    : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields), fields };
}
