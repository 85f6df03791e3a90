import { randomBytes } from 'node:crypto';
import type { FlatFields } from '../body/fields';
import { md5Hex } from '../signing/digest';
import { sortedFieldString } from '../signing/sorted-fields';
import type { Notification } from './notification';
import { encodeForm } from './notification';

const EXCLUDED = new Set(['sign']);

export interface Pay247SignOptions {
  /** Sign empty values too (some Pay247 deployments do). Default false, as documented. */
  keepEmpty?: boolean;
}

/** The `sign` Pay247 puts on these fields: sorted `k=v&…` + key, MD5, lowercase hex. */
export function signPay247(fields: Readonly<Record<string, string | number | null>>, secret: string, options: Pay247SignOptions = {}): string {
  const canonical = sortedFieldString(fields as FlatFields, { exclude: EXCLUDED, skipEmpty: !options.keepEmpty });
  return md5Hex(canonical.text + secret);
}

export interface Pay247NotificationOptions extends Pay247SignOptions {
  secret: string;
  /** v2.0 posts JSON, v1.0 a form. Default 'json'. */
  format?: 'json' | 'form';
  /** Fields to set or override on the seed's sample. */
  fields?: Readonly<Record<string, string | number | null>>;
}

/** The seed's sample payout notification, with fresh order numbers. */
export function samplePay247Fields(): Record<string, string | number> {
  const now = Math.floor(Date.now() / 1000);
  return {
    mch_id: '12345678',
    order_no: `MP${Date.now()}${randomBytes(4).toString('hex')}`,
    out_order_no: `${Date.now()}${randomBytes(3).toString('hex')}`,
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

/** A complete, correctly signed Pay247 notification, ready to POST. */
export function buildPay247Notification(options: Pay247NotificationOptions): Notification {
  const format = options.format ?? 'json';
  const fields: Record<string, string | number | null> = { ...samplePay247Fields(), ...options.fields };
  if (format === 'form') for (const key of Object.keys(fields)) fields[key] = fields[key] === null ? '' : String(fields[key]);
  fields.sign = signPay247(fields, options.secret, options);
  return format === 'json'
    ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields), fields }
    : { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: encodeForm(fields), fields };
}
