import { emptyFields, requireFlat, requiredText, type FlatFields } from '../body/fields';
import { WebhookError } from '../core/errors';
import type { UnlistedEventType, WebhookEvent } from '../core/event';
import type { ResolverOptions } from '../core/credentials';
import { checkMiddlewareOptions, type OwnOptionNames } from '../core/option-names';
import type { WebhookOptions, WebhookRequest } from '../core/options';
import type { ProviderRequest, ProviderSpec } from '../core/provider-spec';
import { fingerprint } from '../dedup/fingerprint';
import { toExpressMiddleware, type ExpressRequest, type WebhookMiddleware } from '../express';
import { hexDigestEqual } from '../signing/compare';
import { md5Hex } from '../signing/digest';
import { phpString, verifySortedFields, WORD_FIELD_NAMES, type SortedSigning } from '../signing/sorted-fields';
import { accountField, secretCredentials, type SecretCredentials } from './secrets';

/** What both notifications carry. Every value is a string, whichever format it came in. */
export interface CryptoGatewayNotification {
  appkey: string;
  /** A decimal string such as "0.9900000000000000": never turn it into a float. */
  balance: string;
  /** Deposits: the gateway's serial number. Transfers: your order number (may be empty). */
  ordid: string;
  symbol: string;
  fromaddr: string;
  txid: string;
  timestamp: string;
  /** Present when the signature came in the body rather than the `sign` header. */
  sign?: string;
}

/** A deposit in (转入). */
export interface CryptoGatewayRecharge extends CryptoGatewayNotification {
  type: 'recharge';
  /** Your receiving address. */
  address: string;
  /** "1" succeeded; anything else failed. */
  status: '1' | (string & {});
}

/** A withdrawal out (转出). */
export interface CryptoGatewayTransfer extends CryptoGatewayNotification {
  type: 'transfer';
  toaddr: string;
  /** "1" succeeded, "2" failed. */
  status: '1' | '2' | (string & {});
}

/** A `type` this version does not list: delivered as sent, never refused. */
export interface CryptoGatewayOther extends CryptoGatewayNotification {
  type: string;
  status: string;
  [field: string]: string | undefined;
}

export type CryptoGatewayEvent =
  | WebhookEvent<'crypto-gateway', 'recharge', CryptoGatewayRecharge>
  | WebhookEvent<'crypto-gateway', 'transfer', CryptoGatewayTransfer>
  | WebhookEvent<'crypto-gateway', UnlistedEventType, CryptoGatewayOther>;

/** One gateway application's credentials. */
export interface CryptoGatewayCredentials {
  /** Your gateway key (the `key=` in the signed string); an array during a rotation (any may match). */
  secret: string | readonly string[];
}

/** One application's route: its `secret`. */
export interface CryptoGatewayOptions<Req = ExpressRequest> extends WebhookOptions<CryptoGatewayEvent, Req>, CryptoGatewayCredentials {
  /** Not with `secret`: a route for many applications takes CryptoGatewayMultiAccountOptions. */
  resolveCredentials?: never;
}

/** Many applications on one route: `resolveCredentials(appkey, ctx)` gives each one's `{ secret }` (docs/multi-account.md). */
export interface CryptoGatewayMultiAccountOptions<Req = ExpressRequest> extends WebhookOptions<CryptoGatewayEvent, Req>, ResolverOptions<CryptoGatewayCredentials> {}

const EXCLUDED = new Set(['sign']);

/**
 * Every field but `sign`, empty values kept first. The separator check covers
 * `&key=`, which the signed string ends with, like any other name.
 */
const SIGNING: SortedSigning = {
  exclude: EXCLUDED,
  names: WORD_FIELD_NAMES,
  dropEmptyFirst: false,
};

/**
 * The gateway signs every field but `sign`, sorted, `k=v&…&key=<secret>`,
 * MD5 hex. Whether empty values take part is not documented (the XML sample
 * has an empty <ordid>), so both forms are accepted.
 */
export function cryptoGatewaySpec(): ProviderSpec<CryptoGatewayEvent, SecretCredentials> {
  return {
    provider: 'crypto-gateway',
    mediaTypes: {
      'application/x-www-form-urlencoded': 'form',
      'application/json': 'json',
      'application/xml': 'xml',
      'text/xml': 'xml',
    },
    needsRawBody: false,
    ...secretCredentials('crypto-gateway'),
    accountField: 'appkey',
    accountOf: (body) => accountField(body.fields, 'appkey'),
    authenticate(body, request, { secrets }) {
      const fields = requireFlat(body.fields);
      const sign = signatureOf(fields, request);
      const signed = verifySortedFields(fields, SIGNING, (text) => secrets.some((secret) => hexDigestEqual(sign, md5Hex(withGatewayKey(text, secret)))));
      if (signed !== undefined) return signed;
      throw new WebhookError('SIGNATURE_MISMATCH', 'The sign does not match these fields and the configured secret.');
    },
    toEvent(body) {
      const data = asStrings(body.fields as FlatFields);
      const type = requiredText(data, 'type');
      requiredText(data, 'status');
      return { id: dedupId(type, data), type, data: data as CryptoGatewayOther };
    },
    success: { contentType: 'text/plain; charset=utf-8', body: 'success' },
    failure: () => ({ contentType: 'text/plain; charset=utf-8', body: 'fail' }),
  };
}

/** The signed string: the sorted fields, then `&key=<secret>` (just `key=…` when there are none). Also the testing kit's signer's. */
export function withGatewayKey(sortedFields: string, secret: string): string {
  return sortedFields === '' ? `key=${secret}` : `${sortedFields}&key=${secret}`;
}

/** The `sign` request header; a body field `sign` only when there is no header. */
function signatureOf(fields: FlatFields, request: ProviderRequest): string {
  const header = request.headers.sign;
  if (typeof header === 'string' && header !== '') return header;
  const field = fields.sign;
  if (typeof field === 'string' && field !== '') return field;
  throw new WebhookError('SIGNATURE_MISSING', 'The notification has no sign header and no sign field.');
}

/** Form, JSON and XML give the same data: JSON numbers become the strings the provider signed. */
function asStrings(fields: FlatFields): Record<string, string> {
  const out = emptyFields<Record<string, string>>();
  for (const name in fields) out[name] = phpString(fields[name]);
  return out;
}

/**
 * Deposits are identified by address + txid, transfers by ordid (as the
 * gateway documents), each plus status. A transfer with an empty ordid (the
 * XML sample has one) falls back to its txid, so that two such transfers are
 * never mistaken for one. Other types: the whole content.
 */
function dedupId(type: string, data: Record<string, string>): string {
  const { status } = data;
  if (type === 'recharge') return `recharge:${requiredText(data, 'address')}:${requiredText(data, 'txid')}:${status}`;
  if (type === 'transfer') {
    if (data.ordid !== undefined && data.ordid !== '') return `transfer:${data.ordid}:${status}`;
    return `transfer:txid=${requiredText(data, 'txid')}:${status}`;
  }
  return `${type}:${fingerprint(data, EXCLUDED)}`;
}

const OPTION_NAMES: OwnOptionNames<CryptoGatewayOptions> = { secret: true, resolveCredentials: true };

/**
 * The crypto-gateway route for any server: its options checked at startup (`factory`
 * names the caller in the error), its spec made.
 */
export function checkedCryptoGatewaySpec(options: CryptoGatewayOptions<unknown> | CryptoGatewayMultiAccountOptions<unknown>, factory: string): ProviderSpec<CryptoGatewayEvent, SecretCredentials> {
  checkMiddlewareOptions('crypto-gateway', `${factory}({ secret, onEvent })`, options, OPTION_NAMES);
  return cryptoGatewaySpec();
}

/**
 * `app.post('/notify/crypto', createCryptoGatewayWebhookMiddleware({ secret, onEvent }))`:
 * deposit (`recharge`) and withdrawal (`transfer`) notifications as form, JSON
 * or XML, verified, deduplicated, acked with `success` once `onEvent` resolved.
 */
export function createCryptoGatewayWebhookMiddleware(options: CryptoGatewayMultiAccountOptions): WebhookMiddleware;
// Last, so that Parameters<typeof createCryptoGatewayWebhookMiddleware> stays the single-account options it always was.
export function createCryptoGatewayWebhookMiddleware(options: CryptoGatewayOptions): WebhookMiddleware;
export function createCryptoGatewayWebhookMiddleware(options: CryptoGatewayOptions | CryptoGatewayMultiAccountOptions): WebhookMiddleware {
  return toExpressMiddleware(checkedCryptoGatewaySpec(options, 'createCryptoGatewayWebhookMiddleware'), options as WebhookOptions<CryptoGatewayEvent, WebhookRequest>);
}
