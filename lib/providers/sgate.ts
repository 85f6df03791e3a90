import type { IncomingHttpHeaders } from 'node:http';
import type { KeyObject } from 'node:crypto';
import { emptyFields, requiredText, type Fields, type JsonValue } from '../body/fields';
import { WebhookError } from '../core/errors';
import type { UnlistedEventType, WebhookEvent } from '../core/event';
import type { ResolverOptions } from '../core/credentials';
import { checkMiddlewareOptions, type OwnOptionNames } from '../core/option-names';
import type { WebhookOptions, WebhookRequest } from '../core/options';
import type { ProviderSpec } from '../core/provider-spec';
import { fingerprint } from '../dedup/fingerprint';
import { toExpressMiddleware, type ExpressRequest, type WebhookMiddleware } from '../express';
import { safeEqual } from '../signing/compare';
import { md5Hex, sha256Hex } from '../signing/digest';
import { createPkcs1Decryptor, Pkcs1DecryptError } from '../signing/rsa-pkcs1-decrypt';
import { rsaPrivateKey, rsaPublicKey, type RsaKeyInput } from '../signing/rsa-keys';
import { rsaSignatureValid } from '../signing/rsa-verify';
import { jsonAck, shortReason } from './json-ack';

/**
 * A customer, as in "query customer detail". The sensitive fields (`identity`,
 * `identitypic`, `cardno`, `stcaccount`) are base64 ciphertext, or plain text
 * when the middleware has your `privateKey`.
 */
export interface SgateCustomer {
  customid: string;
  mercustomid: string;
  name_e: string;
  name_a: string;
  identity: string;
  identitypic: string;
  signpic: string;
  bankname: string;
  bankcode: string;
  cardno: string;
  ibanaccount: string;
  stcaccount: string;
  status: number;
  statusdesc: string;
  demand_perfection: JsonValue[];
  created_at: number;
  updated_at: number;
}

/** A payout ("salary") order, as in "query payment order detail". */
export interface SgatePayoutOrder {
  ticketid: string;
  customid: string;
  mercustomid: string;
  payeeuid: string;
  currency: string;
  paymentmethod: string;
  amount: number;
  realamount: number;
  fee: number;
  status: number;
  statusdesc: string;
  confirmtime: number;
  /** The payee, sensitive fields treated as in SgateCustomer. */
  custominfo: SgateCustomer;
  created_at: number;
  updated_at: number;
}

/** A bank transfer (offline transfer accepted, or money received on a virtual account). */
export interface SgateTransfer {
  /** SGATE's transaction serial number. */
  uuid: string;
  transactiontime: string;
  account: string;
  amount: number;
  currency: string;
  exchangeinfo: { custname: string; custacc: string; bankbic: string; channelreference: string; paymentremarks: string };
}

/** `data` of an event this package does not describe: as sent. */
export type SgateFields = { [key: string]: JsonValue };

/** The notification body exactly as received (sensitive fields still encrypted). */
export interface SgateEnvelope {
  event: string;
  data: SgateFields | JsonValue[];
  /** Event time, in seconds. */
  time: number;
}

export interface SgateEventOf<T extends string, D> extends WebhookEvent<'sgate', T, D> {
  envelope: SgateEnvelope;
}

export type SgateKnownEventType = 'CUSTOM_STATUS_CHANGE' | 'SALARY_STATUS_CHANGE' | 'OFFLINE_TRANSFER_NOTIFICATION' | 'RECEIVING_TRANS_NOTIFICATION';

/**
 * Events SGATE documents, plus any other it sends (`type: string`, never
 * refused). Narrow with `isEventType(event, 'SALARY_STATUS_CHANGE')`.
 */
export type SgateEvent =
  | SgateEventOf<'CUSTOM_STATUS_CHANGE', SgateCustomer>
  | SgateEventOf<'SALARY_STATUS_CHANGE', SgatePayoutOrder>
  | SgateEventOf<'OFFLINE_TRANSFER_NOTIFICATION', SgateTransfer>
  | SgateEventOf<'RECEIVING_TRANS_NOTIFICATION', SgateTransfer>
  | SgateEventOf<UnlistedEventType, SgateFields | JsonValue[]>;

/** One SGATE merchant account's credentials. */
export interface SgateCredentials {
  /** SGATE's system public key: PEM, or bare base64 DER as SGATE hands it out; an array during a rotation. */
  publicKey: RsaKeyInput | readonly RsaKeyInput[];
  /** Your merchant API key: `V-Api-Key` must equal it. */
  apiKey: string;
  /** Your merchant private key: the sensitive fields are then delivered decrypted. */
  privateKey?: RsaKeyInput;
}

/** One merchant account's route: its keys. */
export interface SgateOptions<Req = ExpressRequest> extends SgateRouteOptions<Req>, SgateCredentials {
  /** Not with the keys: a route for many accounts takes SgateMultiAccountOptions. */
  resolveCredentials?: never;
}

/** Many merchant accounts on one route: `resolveCredentials(V-Api-Key, ctx)` gives each one's `{ publicKey, apiKey, privateKey? }` (docs/multi-account.md). */
export interface SgateMultiAccountOptions<Req = ExpressRequest> extends SgateRouteOptions<Req>, ResolverOptions<SgateCredentials> {}

/** What every SGATE route takes besides its credentials. */
export interface SgateRouteOptions<Req = ExpressRequest> extends WebhookOptions<SgateEvent, Req> {
  /** The path (or full URL) SGATE posts to, when a proxy rewrites it before your app. Default: `req.originalUrl`. */
  notifyUrl?: string;
  /**
   * Refuse a `V-Timestamp` further than this from the server clock, so a
   * captured notification cannot be replayed later. Default 300: SGATE
   * retries 5 times 5 s apart, possibly with the first signature, so a
   * genuine delivery is at most ~25 s old, plus clock skew. `false` turns
   * the check off.
   */
  toleranceSeconds?: number | false;
}

export interface SgateSigningInput {
  apiKey: string;
  /** Seconds. */
  timestamp: number;
  nonce: string;
  /** The notify path with its query, no host. */
  url: string;
  /** The raw body text. */
  body: string;
}

/**
 * SGATE's signing data: one-line JSON in exactly this key order, escaped as
 * JSON.stringify does (no unicode escapes, no `\/`). Its MD5 hex is what gets signed.
 */
export function sgateSigningData(input: SgateSigningInput): string {
  return JSON.stringify({ api_key: input.apiKey, timestamp: input.timestamp, nonce_str: input.nonce, url: input.url, method: 'POST', body: input.body });
}

const WHERE = 'express-payment-webhooks (sgate)';
/** The fields SGATE encrypts for the merchant's public key (in `data` and in `custominfo`). */
export const SENSITIVE = ['identity', 'identitypic', 'cardno', 'stcaccount'] as const;
/**
 * Per documented event, the field naming its object, and whether that object
 * has a status that changes (a customer, a payout) or is one fact that never
 * does (a transfer).
 */
const OBJECTS: Readonly<Record<string, { idField: string; hasStatus: boolean }>> = {
  CUSTOM_STATUS_CHANGE: { idField: 'customid', hasStatus: true },
  SALARY_STATUS_CHANGE: { idField: 'ticketid', hasStatus: true },
  OFFLINE_TRANSFER_NOTIFICATION: { idField: 'uuid', hasStatus: false },
  RECEIVING_TRANS_NOTIFICATION: { idField: 'uuid', hasStatus: false },
};
/** Left out of a content digest: PKCS#1 v1.5 ciphertext differs each time the same value is encrypted. */
const ENCRYPTED: ReadonlySet<string> = new Set(SENSITIVE);

/** Ten times the span of SGATE's documented retries (~25 s): room for clock skew, little for a replay. */
const DEFAULT_TOLERANCE_SECONDS = 300;
const REQUIRED_HEADERS = ['v-api-key', 'v-timestamp', 'v-nonce-str', 'v-signature'] as const;

type SgateSpecOptions = Pick<SgateRouteOptions, 'notifyUrl' | 'toleranceSeconds'>;

/** SgateCredentials checked and parsed, once per account (or once, for static keys). */
interface SgateKeys {
  publicKeys: readonly KeyObject[];
  apiKey: string;
  decrypt: ((base64: string) => string) | undefined;
}

function sgateKeys(raw: object): SgateKeys {
  const options = raw as Partial<Record<keyof SgateCredentials, unknown>>;
  const keyInputs = (Array.isArray(options.publicKey) ? options.publicKey : [options.publicKey]) as RsaKeyInput[];
  if (keyInputs.length === 0) throw new TypeError(`${WHERE}: publicKey is required.`);
  const publicKeys = Object.freeze(keyInputs.map((key) => rsaPublicKey(WHERE, 'publicKey', key)));
  const apiKey = options.apiKey;
  if (typeof apiKey !== 'string' || apiKey === '') throw new TypeError(`${WHERE}: apiKey must be a non-empty string.`);
  const decrypt = options.privateKey === undefined ? undefined : createPkcs1Decryptor(rsaPrivateKey(WHERE, 'privateKey', options.privateKey as RsaKeyInput));
  return Object.freeze({ publicKeys, apiKey, decrypt });
}

/**
 * SGATE signs `{"api_key","timestamp","nonce_str","url","method","body"}`
 * (see sgateSigningData) with MD5withRSA over the MD5 hex of it. The raw body
 * text is part of it, so this provider cannot work from a body another parser
 * consumed.
 */
export function sgateSpec(options: SgateSpecOptions = {}): ProviderSpec<SgateEvent, SgateKeys> {
  if (options === null || typeof options !== 'object') throw new TypeError(`${WHERE}: options are required.`);
  const notifyUrl = options.notifyUrl === undefined ? undefined : notifyPath(options.notifyUrl);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (tolerance !== false && (typeof tolerance !== 'number' || !(tolerance > 0))) {
    throw new TypeError(`${WHERE}: toleranceSeconds must be a positive number of seconds, or false to accept any V-Timestamp.`);
  }

  return {
    provider: 'sgate',
    mediaTypes: { 'application/json': 'json' },
    needsRawBody: true,
    credentialOptions: ['publicKey', 'apiKey', 'privateKey'],
    credentials: sgateKeys,
    accountField: 'V-Api-Key header',
    accountOf(_body, request) {
      const header = request.headers['v-api-key'];
      return typeof header === 'string' && header !== '' ? header : undefined;
    },
    authenticate(body, request, { publicKeys, apiKey }) {
      if (body.text === undefined) throw new WebhookError('CONFIGURATION', 'The SGATE signature covers the raw body text, which is not available.');
      const headers = signatureHeaders(request.headers);
      if (!safeEqual(headers.apiKey, apiKey)) throw new WebhookError('SIGNATURE_MISMATCH', 'V-Api-Key is not the configured apiKey.');
      if (!/^\d{1,12}$/.test(headers.timestamp)) throw new WebhookError('SIGNATURE_MISMATCH', 'V-Timestamp is not a whole number of seconds.');
      const timestamp = Number(headers.timestamp);
      const digest = md5Hex(sgateSigningData({ apiKey, timestamp, nonce: headers.nonce, url: notifyUrl ?? request.url, body: body.text }));
      if (!rsaSignatureValid(publicKeys, 'md5', Buffer.from(digest, 'ascii'), headers.signature)) {
        throw new WebhookError(
          'SIGNATURE_MISMATCH',
          'V-Signature does not verify with publicKey for this body and URL. Behind a proxy or mount path that changes the path SGATE posted to, set notifyUrl.',
        );
      }
      if (tolerance !== false && Math.abs(Date.now() / 1000 - timestamp) > tolerance) {
        throw new WebhookError('TIMESTAMP_OUT_OF_TOLERANCE', `V-Timestamp is more than toleranceSeconds (${tolerance}) away from this server's clock.`);
      }
      // The whole body is signed.
      return Object.keys(body.fields);
    },
    toEvent(body, { decrypt }) {
      const envelope = body.fields;
      const event = requiredText(envelope, 'event');
      const time = envelope.time;
      if (typeof time !== 'number' || !Number.isFinite(time)) throw new WebhookError('BODY_INVALID', 'time must be a number of seconds.');
      const sent = envelope.data;
      if (sent === null || typeof sent !== 'object') throw new WebhookError('BODY_INVALID', 'data must be an object.');
      const data = decrypt === undefined || Array.isArray(sent) ? sent : decryptSensitive(sent, decrypt);
      // authenticate refused a body without its text.
      const id = dedupId(event, sent, time, body.text!);
      return { id, type: event, data: data as SgateEvent['data'], envelope: envelope as unknown as SgateEnvelope };
    },
    success: jsonAck(200, 'success'),
    failure: (error) => jsonAck(error.status, shortReason(error)),
  };
}

const OPTION_NAMES: OwnOptionNames<SgateOptions> = {
  publicKey: true,
  apiKey: true,
  privateKey: true,
  resolveCredentials: true,
  notifyUrl: true,
  toleranceSeconds: true,
};

/**
 * The sgate route for any server: its options checked at startup (`factory`
 * names the caller in the error), its spec made.
 */
export function checkedSgateSpec(options: SgateOptions<unknown> | SgateMultiAccountOptions<unknown>, factory: string): ProviderSpec<SgateEvent, SgateKeys> {
  checkMiddlewareOptions('sgate', `${factory}({ publicKey, apiKey, onEvent })`, options, OPTION_NAMES);
  return sgateSpec(options);
}

/**
 * `app.post('/notify/sgate', createSgateWebhookMiddleware({ publicKey, apiKey, onEvent }))`:
 * verified (MD5withRSA over the raw body, the URL and the V-* headers),
 * deduplicated by event + object id + status + updated_at (transfers: uuid +
 * content), sensitive fields decrypted
 * when `privateKey` is given, acked with HTTP 200 only once `onEvent` resolved.
 */
export function createSgateWebhookMiddleware(options: SgateMultiAccountOptions): WebhookMiddleware;
// Last, so that Parameters<typeof createSgateWebhookMiddleware> stays the single-account options it always was.
export function createSgateWebhookMiddleware(options: SgateOptions): WebhookMiddleware;
export function createSgateWebhookMiddleware(options: SgateOptions | SgateMultiAccountOptions): WebhookMiddleware {
  return toExpressMiddleware(checkedSgateSpec(options, 'createSgateWebhookMiddleware'), options as WebhookOptions<SgateEvent, WebhookRequest>);
}

interface SignatureHeaders {
  apiKey: string;
  timestamp: string;
  nonce: string;
  signature: string;
}

function signatureHeaders(headers: IncomingHttpHeaders): SignatureHeaders {
  const missing = REQUIRED_HEADERS.filter((name) => typeof headers[name] !== 'string' || headers[name] === '');
  if (missing.length > 0) throw new WebhookError('SIGNATURE_MISSING', `Missing SGATE signature header(s): ${missing.join(', ')}.`);
  return {
    apiKey: headers['v-api-key'] as string,
    timestamp: headers['v-timestamp'] as string,
    nonce: headers['v-nonce-str'] as string,
    signature: headers['v-signature'] as string,
  };
}

/**
 * No event id exists; a retry is the identical body. A status change is
 * identified by the event, the object's id, its new `status` and its
 * `updated_at` (else the event `time`): `updated_at` has whole seconds, so
 * without the status two changes within one second would look like one. A
 * transfer happens once: its uuid and its content (not `time`, so a later
 * re-notification of the same transfer is still a duplicate). Events without
 * a documented object id are identified by their body.
 */
function dedupId(event: string, data: Fields | JsonValue[], time: number, text: string): string {
  const object = Object.hasOwn(OBJECTS, event) ? OBJECTS[event] : undefined;
  if (object === undefined) return `${event}:body-sha256:${sha256Hex(text)}`;
  const fields = Array.isArray(data) ? emptyFields() : data;
  const objectId = fields[object.idField];
  if (!isIdValue(objectId)) throw new WebhookError('BODY_INVALID', `data.${object.idField} is missing.`);
  if (!object.hasStatus) return `${event}:${objectId}:${fingerprint(fields, ENCRYPTED)}`;
  const status = fields.status;
  if (!isIdValue(status)) throw new WebhookError('BODY_INVALID', 'data.status is missing.');
  const updatedAt = fields.updated_at;
  return `${event}:${objectId}:${status}:${isIdValue(updatedAt) ? updatedAt : time}`;
}

function isIdValue(value: JsonValue | undefined): value is string | number {
  return (typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value));
}

/** A copy of data with the sensitive fields decrypted, here and in `custominfo`; the envelope keeps what was sent. */
function decryptSensitive(data: Fields, decrypt: (base64: string) => string): Fields {
  const out = decryptFields(data, 'data', decrypt);
  const info = data.custominfo;
  if (info !== null && typeof info === 'object' && !Array.isArray(info)) out.custominfo = decryptFields(info, 'data.custominfo', decrypt);
  return out;
}

function decryptFields(fields: Fields, path: string, decrypt: (base64: string) => string): Fields {
  const out = Object.assign(emptyFields(), fields);
  for (const name of SENSITIVE) {
    const value = fields[name];
    if (typeof value !== 'string' || value === '') continue;
    try {
      out[name] = decrypt(value);
    } catch (cause) {
      const reason = cause instanceof Pkcs1DecryptError ? cause.message : 'decryption failed';
      throw new WebhookError('DECRYPTION_FAILED', `Could not decrypt ${path}.${name} with the configured privateKey: ${reason}.`, { cause });
    }
  }
  return out;
}

function notifyPath(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${WHERE}: notifyUrl must be a non-empty string.`);
  const origin = /^https?:\/\/[^/?#]*/i.exec(value);
  let path = origin === null ? value : value.slice(origin[0].length);
  const hash = path.indexOf('#');
  if (hash !== -1) path = path.slice(0, hash);
  if (path === '' || path.startsWith('?')) path = `/${path}`;
  if (!path.startsWith('/')) throw new TypeError(`${WHERE}: notifyUrl must be the path SGATE posts to (e.g. /notify/sgate) or the full URL.`);
  return path;
}
