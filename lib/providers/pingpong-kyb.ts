import { requiredText, type Fields } from '../body/fields';
import { assertUnambiguousValue, WORD_FIELD_NAMES } from '../signing/sorted-fields';
import { WebhookError } from '../core/errors';
import type { UnlistedEventType, WebhookEvent } from '../core/event';
import type { ResolverOptions } from '../core/credentials';
import { checkMiddlewareOptions, type OwnOptionNames } from '../core/option-names';
import type { WebhookOptions, WebhookRequest } from '../core/options';
import type { ProviderSpec } from '../core/provider-spec';
import { fingerprint } from '../dedup/fingerprint';
import { toExpressMiddleware, type ExpressRequest, type WebhookMiddleware } from '../express';
import { hexDigestEqual } from '../signing/compare';
import { isJavaBlank, javaTrim } from '../signing/java-text';
import { md5Hex } from '../signing/digest';
import { accountField, secretCredentials, type SecretCredentials } from './secrets';

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
  | WebhookEvent<'pingpong-kyb', UnlistedEventType, PingPongOtherReview>;

/** One PingPong institution's credentials. */
export interface PingPongKybCredentials {
  /** Your PingPong salt; an array during a rotation (any may match). */
  secret: string | readonly string[];
}

/** One institution's route: its `secret` (salt). */
export interface PingPongKybOptions<Req = ExpressRequest> extends PingPongKybRouteOptions<Req>, PingPongKybCredentials {
  /** Not with `secret`: a route for many institutions takes PingPongKybMultiAccountOptions. */
  resolveCredentials?: never;
}

/** Many institutions on one route: `resolveCredentials(institutionId, ctx)` gives each one's `{ secret }` (docs/multi-account.md). */
export interface PingPongKybMultiAccountOptions<Req = ExpressRequest> extends PingPongKybRouteOptions<Req>, ResolverOptions<PingPongKybCredentials> {}

/** What every PingPong KYB route takes besides its credentials. */
export interface PingPongKybRouteOptions<Req = ExpressRequest> extends WebhookOptions<PingPongKybEvent, Req> {
  /**
   * `status`, `comment` and `reviewDetail` are not signed: without `allowIps`
   * (PINGPONG_SENDER_IPS) or `confirm`, anyone who replays or captures one
   * signed notification can send it with another status. The middleware is
   * refused unless one of them is given, or this is `true`: you accept the
   * unsigned fields as sent (e.g. you re-query the review yourself).
   */
  acceptUnsignedStatus?: boolean;
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
 * PingPong signs only five fields, each if non-blank: sorted `k=v&…` with the
 * salt in front, MD5, upper-case hex. Its prose trims the values; its
 * reference Java appends them as sent: both forms are accepted.
 */
export function pingPongKybSpec(): ProviderSpec<PingPongKybEvent, SecretCredentials> {
  return {
    provider: 'pingpong-kyb',
    mediaTypes: { 'application/json': 'json' },
    needsRawBody: false,
    ...secretCredentials('pingpong-kyb'),
    accountField: 'institutionId',
    accountOf: (body) => accountField(body.fields, 'institutionId'),
    authenticate(body, _request, { secrets: salts }) {
      const signs = (sign: string, text: string) => salts.some((salt) => hexDigestEqual(sign, md5Hex(salt + text)));
      const { fields } = body;
      const sign = fields.sign;
      if (typeof sign !== 'string' || sign === '') throw new WebhookError('SIGNATURE_MISSING', 'The notification has no sign field.');
      const signType = javaTrim(signedValue(fields, 'signType'));
      if (signType !== '' && signType.toUpperCase() !== 'MD5') {
        throw new WebhookError('SIGNATURE_MISMATCH', 'Only MD5-signed notifications are accepted (signType).');
      }
      // The documented form first; the other is built only where it differs (a value with whitespace around it).
      let match = pingPongKybSigningString(fields, 'trimmed');
      if (!signs(sign, match.text)) {
        const untrimmed = pingPongKybSigningString(fields, 'untrimmed');
        if (untrimmed.text === match.text || !signs(sign, untrimmed.text)) {
          throw new WebhookError('SIGNATURE_MISMATCH', 'The sign field does not match these fields and the configured salt.');
        }
        match = untrimmed;
      }
      assertOneReading(fields, match);
      return match.fields;
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
 * How a PingPong signer writes each signed value: `trimmed` as its prose says
 * (String.trim()), `untrimmed` as its reference Java `Sign` class does (the
 * value as sent). Both leave out a blank value (StringUtils.isBlank: empty or
 * Java whitespace only, U+3000 included; see isJavaWhitespace).
 */
export type PingPongKybSigningForm = 'trimmed' | 'untrimmed';

export interface PingPongKybSigningString {
  text: string;
  /** The fields in the string, sorted. */
  fields: string[];
  /** Each of those fields' value as it went into the string. */
  values: string[];
  form: PingPongKybSigningForm;
}

/**
 * What PingPong signs before the salt goes in front: the five signed fields,
 * each only if non-blank, sorted, `k=v&k=v`, in the given form. Also the
 * testing kit's signer, so the provider's side and ours share one definition.
 */
export function pingPongKybSigningString(fields: Fields, form: PingPongKybSigningForm = 'trimmed'): PingPongKybSigningString {
  const signed: string[] = [];
  const values: string[] = [];
  let text = '';
  for (const name of SIGNED_FIELDS) {
    const sent = signedValue(fields, name);
    if (isJavaBlank(sent)) continue;
    const value = form === 'trimmed' ? javaTrim(sent) : sent;
    text += `${signed.length === 0 ? '' : '&'}${name}=${value}`;
    signed.push(name);
    values.push(value);
  }
  return { text, fields: signed, values, form };
}

/**
 * A signed string has exactly one reading, as for the other sorted-field
 * providers (see verifySortedFields), and the handler sees exactly what was
 * signed in the form that matched. Names need no check: the string is built
 * from the five fixed names, never from the names received. So:
 *  - a signed value must not hold `&<name>=` (a second reading);
 *  - a blank value that is not empty ("  ", "\u3000") is left out of the
 *    string by both forms, so the handler would see a value never signed:
 *    refused;
 *  - under the untrimmed form the values are signed as sent, whitespace and
 *    all, so the handler gets them as sent;
 *  - under the trimmed form " B1 " and "B1" sign alike: the handler gets the
 *    value as signed, "B1" (the field is rewritten), so every accepted body
 *    for one signature carries the same signed values. Refusing it instead
 *    would lose a genuine notification from a trimming signer.
 */
function assertOneReading(fields: Fields, match: PingPongKybSigningString): void {
  for (const name of SIGNED_FIELDS) {
    const value = fields[name];
    if (typeof value === 'string' && value !== '' && isJavaBlank(value)) {
      throw new WebhookError('SIGNATURE_AMBIGUOUS', `Field "${name}" is blank but not empty, and the signature leaves blank values out.`);
    }
  }
  for (let i = 0; i < match.fields.length; i++) {
    const name = match.fields[i];
    assertUnambiguousValue(name, match.values[i], WORD_FIELD_NAMES);
    if (match.form === 'trimmed' && fields[name] !== match.values[i] && typeof fields[name] === 'string') fields[name] = match.values[i];
  }
}

/** The value as sent, as text: "" when absent or null. */
function signedValue(fields: Fields, name: string): string {
  const value = fields[name];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new WebhookError('BODY_INVALID', `Field "${name}" must be a string.`);
  }
  return String(value);
}

const OPTION_NAMES: OwnOptionNames<PingPongKybOptions> = { secret: true, resolveCredentials: true, acceptUnsignedStatus: true };

/**
 * The pingpong-kyb route for any server: its options checked at startup (`factory`
 * names the caller in the error), its spec made.
 */
export function checkedPingPongKybSpec(options: PingPongKybOptions<unknown> | PingPongKybMultiAccountOptions<unknown>, factory: string): ProviderSpec<PingPongKybEvent, SecretCredentials> {
  checkMiddlewareOptions('pingpong-kyb', `${factory}({ secret, allowIps: PINGPONG_SENDER_IPS.production, onEvent })`, options, OPTION_NAMES);
  requireUnsignedFieldsCovered(options);
  return pingPongKybSpec();
}

/**
 * `app.post('/notify/pingpong-kyb', createPingPongKybWebhookMiddleware({ secret, onEvent }))`:
 * KYB and store review notifications, verified over the five fields PingPong
 * signs, deduplicated, acked with an empty 200 once `onEvent` resolved.
 * `status`, `comment` and `reviewDetail` are not signed: see `allowIps`
 * (PINGPONG_SENDER_IPS) and `confirm`.
 */
export function createPingPongKybWebhookMiddleware(options: PingPongKybMultiAccountOptions): WebhookMiddleware;
// Last, so that Parameters<typeof createPingPongKybWebhookMiddleware> stays the single-account options it always was.
export function createPingPongKybWebhookMiddleware(options: PingPongKybOptions): WebhookMiddleware;
export function createPingPongKybWebhookMiddleware(options: PingPongKybOptions | PingPongKybMultiAccountOptions): WebhookMiddleware {
  return toExpressMiddleware(checkedPingPongKybSpec(options, 'createPingPongKybWebhookMiddleware'), options as WebhookOptions<PingPongKybEvent, WebhookRequest>);
}

/** Secure by default: the unsigned review outcome is trusted only when the sender is checked, the review re-queried, or the merchant says so. */
function requireUnsignedFieldsCovered(options: PingPongKybRouteOptions<unknown>): void {
  const accepted = options.acceptUnsignedStatus;
  if (accepted !== undefined && typeof accepted !== 'boolean') {
    throw new TypeError('express-payment-webhooks (pingpong-kyb): acceptUnsignedStatus must be true or false.');
  }
  if (options.allowIps !== undefined || options.confirm !== undefined || accepted === true) return;
  throw new TypeError(
    'express-payment-webhooks (pingpong-kyb): PingPong does not sign status, comment or reviewDetail, so a replayed notification could carry any status. ' +
      'Give allowIps: PINGPONG_SENDER_IPS.production (its senders), or confirm: (event) => re-query the review with PingPong, ' +
      'or acceptUnsignedStatus: true to accept those fields as sent.',
  );
}
