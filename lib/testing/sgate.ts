import { constants, publicEncrypt, randomBytes, randomUUID, sign } from 'node:crypto';
import { SENSITIVE, sgateSigningData } from '../providers/sgate';
import { md5Hex } from '../signing/digest';
import { rsaPrivateKey, rsaPublicKey, type RsaKeyInput } from '../signing/rsa-keys';
import type { Notification } from './notification';

const WHERE = 'express-payment-webhooks/testing (sgate)';

export interface SgateSignOptions {
  /** The key SGATE signs with. In tests: the private half of a pair whose public half the middleware has as `publicKey`. */
  privateKey: RsaKeyInput;
  /** Your merchant API key (sent as V-Api-Key). */
  apiKey: string;
  /** The path and query the notification is posted to (what your app sees as `req.originalUrl`, or your `notifyUrl`). */
  url: string;
  /** Seconds. Default: now. */
  timestamp?: number;
  /** Default: 16 random characters. */
  nonce?: string;
}

/** The V-* headers SGATE sends with this exact body text: api key, version, timestamp, nonce and the MD5withRSA signature. */
export function signSgateHeaders(body: string, options: SgateSignOptions): Record<string, string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const nonce = options.nonce ?? randomBytes(12).toString('base64url').slice(0, 16);
  const digest = md5Hex(sgateSigningData({ apiKey: options.apiKey, timestamp, nonce, url: options.url, body }));
  const key = rsaPrivateKey(WHERE, 'privateKey', options.privateKey);
  const signature = sign('md5', Buffer.from(digest, 'ascii'), { key, padding: constants.RSA_PKCS1_PADDING }).toString('base64');
  return {
    'V-Api-Key': options.apiKey,
    'V-Api-Version': '1',
    'V-Timestamp': String(timestamp),
    'V-Nonce-Str': nonce,
    'V-Signature': signature,
  };
}

/**
 * Encrypts a value the way SGATE encrypts sensitive fields for a merchant:
 * RSA PKCS#1 v1.5 with the merchant's public key, in blocks (up to key size
 * − 11 bytes of UTF-8 each), the cipher blocks concatenated, base64.
 */
export function encryptSgateField(plain: string, merchantPublicKey: RsaKeyInput): string {
  const key = rsaPublicKey(WHERE, 'merchantPublicKey', merchantPublicKey);
  const chunk = (key.asymmetricKeyDetails?.modulusLength ?? 2048) / 8 - 11;
  const bytes = Buffer.from(plain, 'utf8');
  const blocks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length || offset === 0; offset += chunk) {
    blocks.push(publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, bytes.subarray(offset, offset + chunk)));
  }
  return Buffer.concat(blocks).toString('base64');
}

/** A customer like the documented sample, with fresh ids and the sensitive fields in plain text. */
export function sampleSgateCustomer(): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    customid: randomBytes(3).toString('hex').slice(0, 5),
    mercustomid: `m${randomBytes(3).toString('hex')}`,
    name_e: 'updTest2',
    name_a: 'test1a',
    identity: '1098765432',
    identitypic: 'https://files.example/identity/124f8.jpg',
    signpic: '',
    bankname: 'Riyad Bank',
    bankcode: '1174c',
    cardno: '4000001234567899',
    ibanaccount: 'SA4420000001234567891234',
    stcaccount: '966500000001',
    status: 0,
    statusdesc: '2023-06-15 12:34:35',
    demand_perfection: [],
    created_at: now - 86_400,
    updated_at: now,
  };
}

/** Sample `data` for each documented event, as SGATE's documentation shows it, with fresh ids. */
export function sampleSgateData(event: string): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  switch (event) {
    case 'CUSTOM_STATUS_CHANGE':
      return sampleSgateCustomer();
    case 'SALARY_STATUS_CHANGE': {
      const custominfo: Record<string, unknown> = { ...sampleSgateCustomer(), status: 1, statusdesc: 'ok' };
      return {
        ticketid: String(10_000 + randomBytes(2).readUInt16BE()),
        customid: custominfo.customid,
        mercustomid: custominfo.mercustomid,
        payeeuid: `PPP${randomBytes(3).readUIntBE(0, 3)}`,
        currency: 'SAR',
        paymentmethod: 'STCPay',
        amount: 1600,
        realamount: 1520,
        fee: 80,
        status: 2,
        statusdesc: '2023-06-20 04:04:31',
        confirmtime: 0,
        custominfo,
        created_at: now - 60,
        updated_at: now,
      };
    }
    case 'OFFLINE_TRANSFER_NOTIFICATION':
    case 'RECEIVING_TRANS_NOTIFICATION':
      return {
        uuid: randomUUID().toUpperCase(),
        transactiontime: '2023-01-29 01:56:13',
        account: 'SA9080000000000000000000',
        amount: 50,
        currency: 'SAR',
        exchangeinfo: {
          custname: 'Trust Gate',
          custacc: 'SA9080000000000000000001',
          bankbic: 'RJHISARI',
          channelreference: '2024042500060801002869000004',
          paymentremarks: 'B2B/FRACCT/SA9080000000000000000001/Trust Gate/B2B',
        },
      };
    default:
      return {};
  }
}

export interface SgateNotificationOptions extends SgateSignOptions {
  /** Default 'CUSTOM_STATUS_CHANGE'. */
  event?: string;
  /** Fields to set or override on the event's sample data (for other events: the data). */
  data?: Record<string, unknown>;
  /** Event time in seconds. Default: now. */
  time?: number;
  /**
   * The merchant's public key: the sensitive fields (in data and in
   * `custominfo`) are then encrypted for it, as SGATE does. Without it they
   * are sent in plain text.
   */
  encryptFor?: RsaKeyInput;
}

/** A complete SGATE notification: the JSON body and its signed V-* headers, ready to POST to `options.url`. */
export function buildSgateNotification(options: SgateNotificationOptions): Notification {
  const event = options.event ?? 'CUSTOM_STATUS_CHANGE';
  const data: Record<string, unknown> = { ...sampleSgateData(event), ...options.data };
  if (options.encryptFor !== undefined) {
    encryptIn(data, options.encryptFor);
    if (data.custominfo !== null && typeof data.custominfo === 'object') {
      data.custominfo = { ...(data.custominfo as Record<string, unknown>) };
      encryptIn(data.custominfo as Record<string, unknown>, options.encryptFor);
    }
  }
  const fields = { event, data, time: options.time ?? Math.floor(Date.now() / 1000) };
  const body = JSON.stringify(fields);
  return { headers: { 'content-type': 'application/json', ...signSgateHeaders(body, options) }, body, fields };
}

function encryptIn(target: Record<string, unknown>, key: RsaKeyInput): void {
  for (const name of SENSITIVE) {
    const value = target[name];
    if (typeof value === 'string' && value !== '') target[name] = encryptSgateField(value, key);
  }
}
