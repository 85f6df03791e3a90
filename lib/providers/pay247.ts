import { requireFlat, type FlatFields } from '../body/fields';
import { WebhookError } from '../core/errors';
import type { WebhookEvent } from '../core/event';
import type { WebhookOptions, WebhookRequest } from '../core/options';
import type { ProviderSpec } from '../core/provider-spec';
import { toExpressMiddleware, type WebhookMiddleware } from '../express';
import { hexDigestEqual } from '../signing/compare';
import { md5Hex } from '../signing/digest';
import { verifySortedFields, WORD_FIELD_NAMES, type SortedSigning } from '../signing/sorted-fields';
import { secretList } from './secrets';

/** The payout status, as an int in v2.0 JSON and as a string in v1.0 forms. */
export type Pay247Status = 0 | 1 | 2 | 3 | '0' | '1' | '2' | '3';

/** One payout notification's fields, exactly as Pay247 sent them. */
export interface Pay247Payout<S extends Pay247Status = Pay247Status> {
  mch_id: string;
  /** Pay247's order number. */
  order_no: string;
  /** Your order number. */
  out_order_no: string;
  bank_name: string;
  bank_code: string;
  bank_branch?: string;
  account_name: string;
  account_no: string;
  /** A decimal string such as "100.0000": never turn it into a float. */
  amount: string;
  fee: string;
  receipt?: string;
  status: S;
  resolved_timestamp: number | string;
  created_timestamp: number | string;
  /** The failure reason for status 3, "" otherwise. */
  remarks: string;
  sign: string;
}

export type Pay247Event =
  | WebhookEvent<'pay247', 'payout.pending', Pay247Payout<0 | '0'>>
  | WebhookEvent<'pay247', 'payout.processing', Pay247Payout<1 | '1'>>
  | WebhookEvent<'pay247', 'payout.succeeded', Pay247Payout<2 | '2'>>
  | WebhookEvent<'pay247', 'payout.failed', Pay247Payout<3 | '3'>>;

export type Pay247EventType = Pay247Event['type'];

export interface Pay247Options<Req = WebhookRequest> extends WebhookOptions<Pay247Event, Req> {
  /** Your Pay247 merchant key; an array during a key rotation (any may match). */
  secret: string | readonly string[];
  /** The success answer. The seed's table says SUCCESS, its prose says success. Default 'SUCCESS'. */
  successBody?: 'SUCCESS' | 'success';
}

const TYPES: Readonly<Record<string, Pay247EventType>> = {
  '0': 'payout.pending',
  '1': 'payout.processing',
  '2': 'payout.succeeded',
  '3': 'payout.failed',
};

/** Every field but `sign`. The documented form drops empty values, so it is tried first. */
const SIGNING: SortedSigning = {
  exclude: new Set(['sign']),
  names: WORD_FIELD_NAMES,
  dropEmptyFirst: true,
};

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Fields without which a payout notification means nothing. */
const REQUIRED_FIELDS = ['mch_id', 'order_no', 'out_order_no', 'amount', 'status'] as const;

/**
 * Pay247 signs every field but `sign`, sorted by key, `k=v&…`, the key
 * appended directly, MD5 hex. The documented form drops empty values; some
 * deployments keep them, so both are accepted.
 */
export function pay247Spec(options: Pick<Pay247Options, 'secret' | 'successBody'>): ProviderSpec<Pay247Event> {
  const secrets = secretList('pay247', options.secret);
  const successBody = options.successBody ?? 'SUCCESS';
  if (successBody !== 'SUCCESS' && successBody !== 'success') {
    throw new TypeError("express-payment-webhooks (pay247): successBody must be 'SUCCESS' or 'success'.");
  }
  return {
    provider: 'pay247',
    mediaTypes: { 'application/x-www-form-urlencoded': 'form', 'application/json': 'json' },
    needsRawBody: false,
    authenticate(body) {
      const fields = requireFlat(body.fields);
      const sign = fields.sign;
      if (typeof sign !== 'string' || sign === '') throw new WebhookError('SIGNATURE_MISSING', 'The notification has no sign field.');
      const signed = verifySortedFields(fields, SIGNING, (text) => secrets.some((secret) => hexDigestEqual(sign, md5Hex(text + secret))));
      if (signed !== undefined) return signed;
      throw new WebhookError('SIGNATURE_MISMATCH', 'The sign field does not match these fields and the configured secret.');
    },
    toEvent(body) {
      const data = body.fields as FlatFields;
      for (const name of REQUIRED_FIELDS) {
        const value = data[name];
        if (value === undefined || value === null || value === '') throw new WebhookError('BODY_INVALID', `${name} is missing.`);
      }
      const orderNo = String(data.order_no);
      const status = data.status;
      const type = (typeof status === 'string' || typeof status === 'number') && Object.hasOwn(TYPES, String(status)) ? TYPES[String(status)] : undefined;
      if (type === undefined) throw new WebhookError('BODY_INVALID', 'status must be 0, 1, 2 or 3.');
      for (const money of ['amount', 'fee'] as const) {
        const value = data[money];
        if (value !== undefined && !(typeof value === 'string' && DECIMAL.test(value))) {
          throw new WebhookError('BODY_INVALID', `${money} must be a decimal string such as "100.0000".`);
        }
      }
      return { id: `${orderNo}:${String(status)}`, type, data: data as unknown as Pay247Event['data'] };
    },
    success: { contentType: 'text/plain; charset=utf-8', body: successBody },
    failure: () => ({ contentType: 'text/plain; charset=utf-8', body: 'fail' }),
  };
}

/**
 * `app.post('/notify/pay247', createPay247WebhookMiddleware({ secret, onEvent }))`:
 * v1.0 form and v2.0 JSON notifications, verified, deduplicated by
 * `order_no` + `status`, acked with `SUCCESS` only once `onEvent` resolved.
 */
export function createPay247WebhookMiddleware(options: Pay247Options): WebhookMiddleware {
  return toExpressMiddleware(pay247Spec(options), options as WebhookOptions<Pay247Event, WebhookRequest>);
}
