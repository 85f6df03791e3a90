import { requireFlat, type FlatFields } from '../body/fields';
import { WebhookError } from '../core/errors';
import type { ResolverOptions } from '../core/credentials';
import { checkMiddlewareOptions, type OwnOptionNames } from '../core/option-names';
import type { WebhookOptions, WebhookRequest } from '../core/options';
import type { ProviderSpec } from '../core/provider-spec';
import { toExpressMiddleware, type ExpressRequest, type WebhookMiddleware } from '../express';
import { hexDigestEqual } from '../signing/compare';
import { md5Hex } from '../signing/digest';
import { verifySortedFields, WORD_FIELD_NAMES, type SortedSigning } from '../signing/sorted-fields';
import { pay247EventOf, type Pay247Event, type Pay247Notification } from './pay247-shapes';
import { accountField, secretCredentials, type SecretCredentials } from './secrets';

export type {
  Pay247CurrentPayout,
  Pay247Event,
  Pay247EventType,
  Pay247Notification,
  Pay247Payin,
  Pay247PayinStatus,
  Pay247Payout,
  Pay247PayoutStatus,
  Pay247Status,
} from './pay247-shapes';

/** One Pay247 merchant account's credentials. */
export interface Pay247Credentials {
  /** Your Pay247 merchant key; an array during a key rotation (any may match). */
  secret: string | readonly string[];
}

/** One merchant account's route: its `secret`. */
export interface Pay247Options<Req = ExpressRequest> extends Pay247RouteOptions<Req>, Pay247Credentials {
  /** Not with `secret`: a route for many accounts takes Pay247MultiAccountOptions. */
  resolveCredentials?: never;
}

/** Many merchant accounts on one route: `resolveCredentials(mch_id, ctx)` gives each account's `{ secret }` (docs/multi-account.md). */
export interface Pay247MultiAccountOptions<Req = ExpressRequest> extends Pay247RouteOptions<Req>, ResolverOptions<Pay247Credentials> {}

/** What every Pay247 route takes besides its credentials. */
export interface Pay247RouteOptions<Req = ExpressRequest> extends WebhookOptions<Pay247Event, Req> {
  /** The success answer. Pay247's field table says SUCCESS, its prose says success. Default 'SUCCESS'. */
  successBody?: 'SUCCESS' | 'success';
  /**
   * What this route receives: payout notifications (legacy and current API)
   * or current-API payin (collection) notifications. Their fields are alike,
   * so the route says which. Default 'payout'.
   */
  notification?: Pay247Notification;
}

/** Every field but `sign`. The documented form drops empty values, so it is tried first. */
const SIGNING: SortedSigning = {
  exclude: new Set(['sign']),
  names: WORD_FIELD_NAMES,
  dropEmptyFirst: true,
};

/**
 * Pay247 signs every field but `sign`, sorted by key, `k=v&…`, the key
 * appended directly, MD5 hex, in the legacy and the current API alike. The
 * documented form drops empty values; its reference signers keep them, so
 * both are accepted.
 */
export function pay247Spec(options: Pick<Pay247RouteOptions, 'successBody' | 'notification'> = {}): ProviderSpec<Pay247Event, SecretCredentials> {
  const successBody = options.successBody ?? 'SUCCESS';
  if (successBody !== 'SUCCESS' && successBody !== 'success') {
    throw new TypeError("express-payment-webhooks (pay247): successBody must be 'SUCCESS' or 'success'.");
  }
  const notification = options.notification ?? 'payout';
  if (notification !== 'payout' && notification !== 'payin') {
    throw new TypeError("express-payment-webhooks (pay247): notification must be 'payout' or 'payin'.");
  }
  return {
    provider: 'pay247',
    mediaTypes: { 'application/x-www-form-urlencoded': 'form', 'application/json': 'json' },
    needsRawBody: false,
    ...secretCredentials('pay247'),
    accountField: 'mch_id',
    accountOf: (body) => accountField(body.fields, 'mch_id'),
    authenticate(body, _request, { secrets }) {
      const fields = requireFlat(body.fields);
      const sign = fields.sign;
      if (typeof sign !== 'string' || sign === '') throw new WebhookError('SIGNATURE_MISSING', 'The notification has no sign field.');
      const signed = verifySortedFields(fields, SIGNING, (text) => secrets.some((secret) => hexDigestEqual(sign, md5Hex(text + secret))));
      if (signed !== undefined) return signed;
      throw new WebhookError('SIGNATURE_MISMATCH', 'The sign field does not match these fields and the configured secret.');
    },
    toEvent: (body) => pay247EventOf(body.fields as FlatFields, notification),
    success: { contentType: 'text/plain; charset=utf-8', body: successBody },
    failure: () => ({ contentType: 'text/plain; charset=utf-8', body: 'fail' }),
  };
}

const OPTION_NAMES: OwnOptionNames<Pay247Options> = { secret: true, resolveCredentials: true, successBody: true, notification: true };

/**
 * The pay247 route for any server: its options checked at startup (`factory`
 * names the caller in the error), its spec made.
 */
export function checkedPay247Spec(options: Pay247Options<unknown> | Pay247MultiAccountOptions<unknown>, factory: string): ProviderSpec<Pay247Event, SecretCredentials> {
  checkMiddlewareOptions('pay247', `${factory}({ secret, onEvent })`, options, OPTION_NAMES);
  return pay247Spec(options);
}

/**
 * `app.post('/notify/pay247', createPay247WebhookMiddleware({ secret, onEvent }))`:
 * legacy payout notifications (v1.0 form, v2.0 JSON) and the current API's
 * payout notifications, or with `notification: 'payin'` its payin
 * notifications; verified, deduplicated by `order_no` + `status`, acked with
 * `SUCCESS` only once `onEvent` resolved.
 */
export function createPay247WebhookMiddleware(options: Pay247MultiAccountOptions): WebhookMiddleware;
// Last, so that Parameters<typeof createPay247WebhookMiddleware> stays the single-account options it always was.
export function createPay247WebhookMiddleware(options: Pay247Options): WebhookMiddleware;
export function createPay247WebhookMiddleware(options: Pay247Options | Pay247MultiAccountOptions): WebhookMiddleware {
  return toExpressMiddleware(checkedPay247Spec(options, 'createPay247WebhookMiddleware'), options as WebhookOptions<Pay247Event, WebhookRequest>);
}
