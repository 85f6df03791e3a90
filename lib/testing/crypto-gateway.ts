import { randomBytes } from 'node:crypto';
import type { FlatFields } from '../body/fields';
import { withGatewayKey } from '../providers/crypto-gateway';
import { md5Hex } from '../signing/digest';
import { sortedFieldString } from '../signing/sorted-fields';
import { encodeForm, encodeXmlResponse, type Notification } from './notification';

type GatewayFields = Readonly<Record<string, string | number | null>>;

const EXCLUDED: ReadonlySet<string> = new Set(['sign']);

export interface CryptoGatewaySignOptions {
  /** Leave empty values out of the signed string. Default false: every field but `sign` is signed. */
  skipEmpty?: boolean;
}

/** The `sign` the gateway puts on these fields: sorted `k=v&…&key=<secret>`, MD5, lowercase hex. */
export function signCryptoGateway(fields: GatewayFields, secret: string, options: CryptoGatewaySignOptions = {}): string {
  const canonical = sortedFieldString(fields as FlatFields, { exclude: EXCLUDED, skipEmpty: options.skipEmpty === true });
  return md5Hex(withGatewayKey(canonical.text, secret));
}

export type CryptoGatewaySampleType = 'recharge' | 'transfer';

export interface CryptoGatewayNotificationOptions extends CryptoGatewaySignOptions {
  secret: string;
  /** Default 'recharge'. */
  type?: CryptoGatewaySampleType;
  /** The merchant setting at the gateway. Default 'json'. */
  format?: 'form' | 'json' | 'xml';
  /** Where the signature travels. Default: the `sign` header for deposits, a `sign` field for transfers (as documented). */
  signIn?: 'header' | 'body';
  /** Fields to set or override on the documented sample. */
  fields?: GatewayFields;
}

const CONTENT_TYPES = { form: 'application/x-www-form-urlencoded', json: 'application/json', xml: 'application/xml' } as const;

/** the documented sample of that type (unsigned), with a fresh txid and ordid. */
export function sampleCryptoGatewayFields(type: CryptoGatewaySampleType = 'recharge'): Record<string, string> {
  const txid = `bafy2bzace${randomBytes(24).toString('hex')}`;
  const ordid = `${Date.now()}${randomBytes(2).readUInt16BE()}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  if (type === 'transfer') {
    const wallet = 'f3tbcweoohogc26eezrvskpa2yxpmcq7iovdijod5mabic45f5rmowkqgdue4ridpjetdcmtwkfi3635rhha4a';
    return { appkey: 'cbadf3d59e287036d5b71eba9af153f4', balance: '0.1268300000000000', fromaddr: wallet, ordid, status: '1', symbol: 'FIL', timestamp, toaddr: wallet, txid, type };
  }
  return {
    address: 'f1trzl2fkdk7uu3jkmi63pw5zog25d3ktwsnhgbna',
    appkey: 'cbadf3d59e287036d5b71eba9af153f4',
    balance: '0.9900000000000000',
    fromaddr: 'f1wqr44i6tav4qkp32y3xaz2irs6py7eyuwjitp6i',
    ordid,
    status: '1',
    symbol: 'FIL',
    timestamp,
    txid,
    type,
  };
}

/** A complete, correctly signed crypto gateway notification, ready to POST. */
export function buildCryptoGatewayNotification(options: CryptoGatewayNotificationOptions): Notification {
  const type = options.type ?? 'recharge';
  const format = options.format ?? 'json';
  const fields: Record<string, string | number | null> = { ...sampleCryptoGatewayFields(type), ...options.fields };
  const sign = signCryptoGateway(fields, options.secret, options);
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPES[format] };
  if ((options.signIn ?? (type === 'transfer' ? 'body' : 'header')) === 'header') headers.sign = sign;
  else fields.sign = sign;
  const body = format === 'json' ? JSON.stringify(fields) : format === 'form' ? encodeForm(fields) : encodeXmlResponse(fields);
  return { headers, body, fields };
}
