import { requiredText, type Fields } from '../body/fields';
import { assertUnambiguousValue, WORD_FIELD_NAMES } from '../signing/sorted-fields';
import { WebhookError } from '../core/errors';
import type { WebhookEvent } from '../core/event';
import type { WebhookOptions, WebhookRequest } from '../core/options';
import type { ProviderSpec } from '../core/provider-spec';
import { fingerprint } from '../dedup/fingerprint';
import { toExpressMiddleware, type WebhookMiddleware } from '../express';
import { hexDigestEqual } from '../signing/compare';
import { md5Hex } from '../signing/digest';
import { secretList } from './secrets';

/** A review outcome. Statuses seen: PASS, FAILED, PENDING, and MODIFY (resubmit) at the top level. */
export type PingPongKybStatus = 'PASS' | 'FAILED' | 'PENDING' | 'MODIFY' | (string & {});

export interface PingPongPartReview {
  status: 'PASS' | 'FAILED' | 'PENDING' | (string & {});
  comment?: string;
}

export interface PingPongAdditionalInfoReview extends PingPongPartReview {
  /** Names of the documents to upload. */
  needAdditionalInfos?: string[];
}

export interface PingPongPersonReview extends PingPongPartReview {
  customerId: number;
  idCardNumber: string;
  /** 1 legal representative, 2 shareholder, 3 beneficial owner. Read `customerType ?? customerTye`. */
  customerType?: number;
  /** The spelling in PingPong's field table (the sample says customerType); either may arrive. */
  customerTye?: number;
}

export interface PingPongReviewDetail {
  additionalInfo?: PingPongAdditionalInfoReview;
  companyReviewResult?: PingPongPartReview;
  personReviewResult?: PingPongPersonReview[];
}

/** What every PingPong KYB notification carries. Only the fields marked "signed" are covered by `sign`. */
export interface PingPongKybNotification {
  /** Signed. */
  bizId: string;
  /** Signed. */
  bizType: string;
  /** Signed. */
  institutionId: string;
  /** Signed. */
  subClientId: string;
  /** Signed. Always "MD5" for notifications. */
  signType: string;
  sign: string;
  /** NOT signed. */
  status: PingPongKybStatus;
  /** NOT signed. */
  comment: string;
  /** NOT signed. */
  merchantClientId: string;
}

/** KYB (sub-merchant) review. `reviewDetail` is NOT signed. */
export interface PingPongKycReview extends PingPongKybNotification {
  bizType: 'SM_KYC_REVIEW';
  reviewDetail?: PingPongReviewDetail;
}

/** Store review. `accId` and `merchantAccId` are NOT signed. */
export interface PingPongStoreReview extends PingPongKybNotification {
  bizType: 'SM_STORE_REVIEW';
  accId: string;
  merchantAccId: string;
}

/** A bizType this version does not list: delivered as sent, never refused. */
export interface PingPongOtherReview extends PingPongKybNotification {
  reviewDetail?: PingPongReviewDetail;
  accId?: string;
  merchantAccId?: string;
  [field: string]: unknown;
}

export type PingPongKybEvent =
  | WebhookEvent<'pingpong-kyb', 'SM_KYC_REVIEW', PingPongKycReview>
  | WebhookEvent<'pingpong-kyb', 'SM_STORE_REVIEW', PingPongStoreReview>
  | WebhookEvent<'pingpong-kyb', string, PingPongOtherReview>;

export interface PingPongKybOptions<Req = WebhookRequest> extends WebhookOptions<PingPongKybEvent, Req> {
  /** Your PingPong salt; an array during a rotation (any may match). */
  secret: string | readonly string[];
}

/**
 * PingPong's published notification senders (from its checkout documentation;
 * inferred to apply to KYB too). Use them as `allowIps`, because the signature
 * does not cover `status`, `comment` or `reviewDetail`.
 */
export const PINGPONG_SENDER_IPS = Object.freeze({
  production: Object.freeze(['3.125.243.2', '3.126.196.22', '18.195.199.34'] as const),
  sandbox: Object.freeze(['52.76.198.228'] as const),
});

/** The only fields PingPong signs, in the sorted order it signs them. */
const SIGNED_FIELDS = Object.freeze(['institutionId', 'subClientId', 'bizType', 'bizId', 'signType'].sort());

/**
 * Left out of the dedup digest: already in the key, or (sign) not content, so a
 * redelivery re-signed with a rotated salt is still a duplicate. Everything else
 * is digested: a second MODIFY for the same bizId with new comments is new.
 */
const KEY_FIELDS = new Set(['bizType', 'bizId', 'status', 'sign']);

/**
 * PingPong signs only five fields, each if non-blank, trimmed: sorted
 * `k=v&…` with the salt in front, MD5, upper-case hex.
 */
export function pingPongKybSpec(options: Pick<PingPongKybOptions, 'secret'>): ProviderSpec<PingPongKybEvent> {
  const salts = secretList('pingpong-kyb', options.secret);
  return {
    provider: 'pingpong-kyb',
    mediaTypes: { 'application/json': 'json' },
    needsRawBody: false,
    authenticate(body) {
      const { fields } = body;
      const sign = fields.sign;
      if (typeof sign !== 'string' || sign === '') throw new WebhookError('SIGNATURE_MISSING', 'The notification has no sign field.');
      const { text, fields: signed } = pingPongKybSigningString(fields);
      const signType = signedValue(fields, 'signType');
      if (signType !== '' && signType.toUpperCase() !== 'MD5') {
        throw new WebhookError('SIGNATURE_MISMATCH', 'Only MD5-signed notifications are accepted (signType).');
      }
      for (const salt of salts) {
        if (hexDigestEqual(sign, md5Hex(salt + text))) {
          assertOneReading(fields);
          return signed;
        }
      }
      throw new WebhookError('SIGNATURE_MISMATCH', 'The sign field does not match these fields and the configured salt.');
    },
    toEvent(body) {
      const data = body.fields;
      const bizType = requiredText(data, 'bizType');
      const bizId = requiredText(data, 'bizId');
      const status = data.status;
      if (typeof status !== 'string') throw new WebhookError('BODY_INVALID', 'status is missing.');
      return { id: `${bizType}:${bizId}:${status}:${fingerprint(data, KEY_FIELDS)}`, type: bizType, data: data as unknown as PingPongOtherReview };
    },
    success: { contentType: 'text/plain; charset=utf-8', body: '' },
    failure: () => ({ contentType: 'text/plain; charset=utf-8', body: 'FAIL' }),
  };
}

/**
 * What PingPong signs before the salt goes in front: the five signed fields,
 * each only if non-blank, trimmed, sorted, `k=v&k=v`. Also the testing kit's
 * signer, so the provider's side and ours share one definition.
 */
export function pingPongKybSigningString(fields: Fields): { text: string; fields: string[] } {
  const signed: string[] = [];
  let text = '';
  for (const name of SIGNED_FIELDS) {
    const value = signedValue(fields, name);
    if (value === '') continue;
    text += `${signed.length === 0 ? '' : '&'}${name}=${value}`;
    signed.push(name);
  }
  return { text, fields: signed };
}

/**
 * A signed string has exactly one reading, as for the other sorted-field
 * providers (see verifySortedFields), and the handler sees what was signed.
 * Names need no check: the string is built from the five fixed names, never
 * from the names received. A signed value must not hold `&<name>=`; and since
 * the signer trims values and leaves blank ones out, a value with leading or
 * trailing whitespace (or blank but not empty) would reach the handler other
 * than it was signed: refused too. PingPong's identifiers carry no whitespace.
 */
function assertOneReading(fields: Fields): void {
  for (const name of SIGNED_FIELDS) {
    const value = fields[name];
    if (typeof value !== 'string') continue;
    if (javaTrim(value) !== value) {
      throw new WebhookError('SIGNATURE_AMBIGUOUS', `Field "${name}" has leading or trailing whitespace, which the signature leaves out.`);
    }
    assertUnambiguousValue(name, value, WORD_FIELD_NAMES);
  }
}

/** The value as PingPong's (Java) signer takes it: trimmed as String.trim() does; "" when absent or blank. */
function signedValue(fields: Fields, name: string): string {
  const value = fields[name];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new WebhookError('BODY_INVALID', `Field "${name}" must be a string.`);
  }
  return javaTrim(String(value));
}

function javaTrim(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && value.charCodeAt(start) <= 0x20) start++;
  while (end > start && value.charCodeAt(end - 1) <= 0x20) end--;
  return value.slice(start, end);
}

/**
 * `app.post('/notify/pingpong-kyb', createPingPongKybWebhookMiddleware({ secret, onEvent }))`:
 * KYB and store review notifications, verified over the five fields PingPong
 * signs, deduplicated, acked with an empty 200 once `onEvent` resolved.
 * `status`, `comment` and `reviewDetail` are not signed: see `allowIps`
 * (PINGPONG_SENDER_IPS) and `confirm`.
 */
export function createPingPongKybWebhookMiddleware(options: PingPongKybOptions): WebhookMiddleware {
  return toExpressMiddleware(pingPongKybSpec(options), options as WebhookOptions<PingPongKybEvent, WebhookRequest>);
}
