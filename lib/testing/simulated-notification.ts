import { rsaPrivateKey, rsaPublicKey, type RsaKeyInput } from '../signing/rsa-keys';
import { buildCardIssuingNotification, cardIssuingCallbackUrl } from './card-issuing';
import { buildCryptoGatewayNotification, type CryptoGatewaySampleType } from './crypto-gateway';
import type { Notification } from './notification';
import { buildPay247Notification, type Pay247Format } from './pay247';
import { buildPingPongKybNotification, type PingPongKybSampleType } from './pingpong-kyb';
import type { ProviderName } from './provider-sides';
import { buildSgateNotification, sampleSgateData } from './sgate';

/**
 * One provider's notification from a few choices, the way the simulator CLI
 * and the demo build them: the documented sample with fresh ids, the variant
 * asked for, your own fields merged in, signed as that provider signs.
 */
export interface SimulatedNotificationOptions {
  /** Where it is posted. Card-issuing: the token is added to its query unless `tokenIn` is 'header'. SGATE signs its path and query. */
  url: string;
  /** Pay247 key, card-issuing callback token, PingPong salt, crypto gateway key. */
  secret?: string;
  /** SGATE: the key it signs with (its system private key; in tests, the private half of your test pair). */
  privateKey?: RsaKeyInput;
  /** SGATE: your merchant API key (V-Api-Key). */
  apiKey?: string;
  /** SGATE: your merchant public key; the sensitive fields are then encrypted for it. */
  encryptFor?: RsaKeyInput;
  /** Card-issuing: the token in the callback URL's query (what the provider does) or the X-Webhook-Token header. Default 'query'. */
  tokenIn?: 'query' | 'header';
  /** SGATE, card-issuing: the event. Any name is sent; SIMULATOR_VARIANTS lists the documented ones. */
  event?: string;
  /** Pay247: a payout (default) or a payin, which is a current-API notification. */
  notification?: 'payout' | 'payin';
  /** Pay247 0–3 (legacy) or PENDING|DEALING|SUCCESS|FAIL (current; payins also CLOSED|REFUND); PingPong PASS|FAILED|PENDING|MODIFY; crypto gateway 1|2; SGATE the numeric `data.status`. */
  status?: string;
  /** Pay247 json|form (legacy payout) or current (the current API's JSON); crypto gateway form|json|xml. */
  format?: 'json' | 'form' | 'xml' | 'current';
  /** PingPong: the bizType; crypto gateway: recharge|transfer. */
  type?: string;
  /** Crypto gateway: the `sign` header or a `sign` body field. Default as documented per type. */
  signIn?: 'header' | 'body';
  /** Your own fields, merged over the sample (SGATE: into `data`; card-issuing: into `event_data`). */
  data?: Record<string, unknown>;
}

export interface SimulatedNotification {
  /** The URL to post to (card-issuing: with the token, unless it travels in the header). */
  url: string;
  notification: Notification;
}

/** A choice that does not fit the provider: the simulator's "bad usage". `option` is the option's name in SimulatedNotificationOptions. */
export class SimulatorUsageError extends Error {
  constructor(
    readonly option: string,
    readonly reason: string,
  ) {
    super(`${option}: ${reason}`);
    this.name = 'SimulatorUsageError';
  }
}

export interface ProviderVariants {
  /** What `secret` is for this provider; undefined for SGATE, which signs with a private key. */
  secret?: string;
  formats?: readonly string[];
  types?: readonly string[];
  /** The documented values; 'integer' where any integer goes (SGATE). */
  statuses?: readonly string[] | 'integer';
  /** The documented events; others are sent as given. */
  events?: readonly string[];
  /** Where `data` is merged. */
  data: string;
  /** What is sent when nothing is chosen. */
  defaults: string;
}

const PAY247_LEGACY_STATUSES = ['0', '1', '2', '3'];
const PAY247_PAYOUT_STATUSES = ['PENDING', 'DEALING', 'SUCCESS', 'FAIL'];
const PAY247_PAYIN_STATUSES = ['PENDING', 'DEALING', 'CLOSED', 'SUCCESS', 'FAIL', 'REFUND'];

/** What each provider lets you choose: the CLI's help and checks come from here. */
export const SIMULATOR_VARIANTS: Readonly<Record<ProviderName, ProviderVariants>> = {
  sgate: {
    statuses: 'integer',
    events: ['CUSTOM_STATUS_CHANGE', 'SALARY_STATUS_CHANGE', 'OFFLINE_TRANSFER_NOTIFICATION', 'RECEIVING_TRANS_NOTIFICATION'],
    data: 'data',
    defaults: 'event CUSTOM_STATUS_CHANGE',
  },
  'card-issuing': {
    secret: 'the token in your callback URL',
    events: ['card.status.active', 'card.status.freeze', 'card.status.unfreeze', 'card.status.closing', 'card.status.closed', 'card.status.lost', 'card.status.replace'],
    data: 'event_data (the card, for card.status.* events)',
    defaults: 'event card.status.active, token in the URL query',
  },
  pay247: {
    secret: 'your Pay247 key',
    formats: ['json', 'form', 'current'],
    statuses: [...PAY247_LEGACY_STATUSES, ...PAY247_PAYIN_STATUSES],
    data: 'the notification fields',
    defaults: 'a payout, format json (legacy API v2.0), status 2 (succeeded); --notification payin: format current, status SUCCESS',
  },
  'pingpong-kyb': {
    secret: 'your salt',
    types: ['SM_KYC_REVIEW', 'SM_STORE_REVIEW'],
    statuses: ['PASS', 'FAILED', 'PENDING', 'MODIFY'],
    data: 'the notification fields',
    defaults: 'type SM_KYC_REVIEW, status as in the sample (MODIFY; PENDING for stores)',
  },
  'crypto-gateway': {
    secret: 'your gateway key',
    formats: ['form', 'json', 'xml'],
    types: ['recharge', 'transfer'],
    statuses: ['1', '2'],
    data: 'the notification fields',
    defaults: 'type recharge, format json, status 1, sign in the header for deposits and in the body for withdrawals',
  },
};

/**
 * Which providers each choice applies to, in the order they are checked: a
 * ProviderVariants field (the choice applies where the provider's variants
 * have it) or, for choices the variants do not list, the providers by name.
 */
const APPLIES_TO: ReadonlyArray<readonly [option: keyof SimulatedNotificationOptions, appliesTo: Exclude<keyof ProviderVariants, 'data' | 'defaults'> | readonly ProviderName[]]> = [
  ['secret', 'secret'],
  ['privateKey', ['sgate']],
  ['apiKey', ['sgate']],
  ['encryptFor', ['sgate']],
  ['tokenIn', ['card-issuing']],
  ['event', 'events'],
  ['status', 'statuses'],
  ['format', 'formats'],
  ['type', 'types'],
  ['signIn', ['crypto-gateway']],
  ['notification', ['pay247']],
];

const HINTS: Readonly<Record<string, string>> = {
  'card-issuing:status': 'the card state is the event (e.g. event card.status.freeze)',
  'sgate:secret': 'SGATE signs with privateKey and apiKey',
};

/** Builds and signs `provider`'s notification; throws SimulatorUsageError for a choice that does not fit it. */
export function buildProviderNotification(provider: ProviderName, options: SimulatedNotificationOptions): SimulatedNotification {
  const variants = SIMULATOR_VARIANTS[provider];
  if (variants === undefined) throw new SimulatorUsageError('provider', `must be one of ${Object.keys(SIMULATOR_VARIANTS).join(', ')}`);
  checkChoices(provider, variants, options);
  const data = { ...options.data };
  switch (provider) {
    case 'pay247': {
      const fields = flatFields(provider, data);
      const { notification, format } = pay247Choices(options);
      if (options.status !== undefined) fields.status = format === 'current' ? options.status : Number(options.status);
      return { url: options.url, notification: buildPay247Notification({ secret: options.secret!, format, notification, fields }) };
    }
    case 'sgate': {
      if (options.status !== undefined) data.status = Number(options.status);
      const notification = buildSgateNotification({
        privateKey: rsaKey('privateKey', options.privateKey!, rsaPrivateKey),
        encryptFor: options.encryptFor === undefined ? undefined : rsaKey('encryptFor', options.encryptFor, rsaPublicKey),
        apiKey: options.apiKey!,
        url: pathAndQuery(options.url),
        event: options.event,
        data,
      });
      return { url: options.url, notification };
    }
    case 'card-issuing': {
      const inHeader = options.tokenIn === 'header';
      const notification = buildCardIssuingNotification({ event: options.event, data, token: inHeader ? options.secret : undefined });
      return { url: inHeader ? options.url : cardIssuingCallbackUrl(options.url, options.secret!), notification };
    }
    case 'pingpong-kyb': {
      if (options.status !== undefined) data.status = options.status;
      const bizType = options.type as PingPongKybSampleType | undefined;
      return { url: options.url, notification: buildPingPongKybNotification({ secret: options.secret!, bizType, fields: data }) };
    }
    case 'crypto-gateway': {
      const fields = flatFields(provider, data);
      if (options.status !== undefined) fields.status = options.status;
      const notification = buildCryptoGatewayNotification({
        secret: options.secret!,
        type: options.type as CryptoGatewaySampleType | undefined,
        format: options.format as 'json' | 'form' | 'xml' | undefined,
        signIn: options.signIn,
        fields,
      });
      return { url: options.url, notification };
    }
  }
}

function checkChoices(provider: ProviderName, variants: ProviderVariants, options: SimulatedNotificationOptions): void {
  for (const [option, appliesTo] of APPLIES_TO) {
    const applies = typeof appliesTo === 'string' ? variants[appliesTo] !== undefined : appliesTo.includes(provider);
    if (options[option] !== undefined && !applies) {
      const hint = HINTS[`${provider}:${option}`];
      throw new SimulatorUsageError(option, `does not apply to ${provider}${hint ? `: ${hint}` : ''}`);
    }
  }
  let url: URL | undefined;
  try {
    url = new URL(options.url);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new SimulatorUsageError('url', 'must be an http:// or https:// URL');
  if (provider === 'sgate') {
    if (options.privateKey === undefined) throw new SimulatorUsageError('privateKey', 'SGATE needs the private key to sign with');
    if (options.apiKey === undefined || options.apiKey.trim() === '') throw new SimulatorUsageError('apiKey', 'SGATE needs your merchant API key');
  } else if (options.secret === undefined || options.secret.trim() === '') {
    throw new SimulatorUsageError('secret', `${provider} needs ${variants.secret}`);
  }
  oneOf('format', options.format, variants.formats);
  oneOf('type', options.type, variants.types);
  if (variants.statuses === 'integer') {
    // Beyond a safe integer, the number sent would not be the one asked for.
    if (options.status !== undefined && !(/^-?\d+$/.test(options.status) && Number.isSafeInteger(Number(options.status)))) {
      throw new SimulatorUsageError('status', `${provider}'s status is an integer (up to ${Number.MAX_SAFE_INTEGER})`);
    }
    if (options.status !== undefined && !('status' in sampleSgateData(options.event ?? 'CUSTOM_STATUS_CHANGE'))) {
      throw new SimulatorUsageError('status', `event ${options.event} has no status`);
    }
  } else {
    oneOf('status', options.status, variants.statuses);
  }
  if (options.event !== undefined && options.event.trim() === '') throw new SimulatorUsageError('event', 'must not be empty');
  oneOf('tokenIn', options.tokenIn, ['query', 'header']);
  oneOf('signIn', options.signIn, ['header', 'body']);
  if (options.data !== undefined && (options.data === null || typeof options.data !== 'object' || Array.isArray(options.data))) {
    throw new SimulatorUsageError('data', 'must be a JSON object');
  }
}

/** Pay247's notification and format, checked together with the status (each format has its own statuses). */
function pay247Choices(options: SimulatedNotificationOptions): { notification: 'payout' | 'payin'; format: Pay247Format } {
  const notification = options.notification ?? 'payout';
  oneOf('notification', notification, ['payout', 'payin']);
  const format = (options.format ?? (notification === 'payin' ? 'current' : 'json')) as Pay247Format;
  if (notification === 'payin' && format !== 'current') throw new SimulatorUsageError('format', 'a Pay247 payin is a current-API notification: format current');
  const statuses = format !== 'current' ? PAY247_LEGACY_STATUSES : notification === 'payin' ? PAY247_PAYIN_STATUSES : PAY247_PAYOUT_STATUSES;
  if (options.status !== undefined && !statuses.includes(options.status)) {
    throw new SimulatorUsageError('status', `a Pay247 ${format === 'current' ? `current-API ${notification}` : 'legacy payout'}'s status is one of ${statuses.join(', ')}`);
  }
  return { notification, format };
}

function oneOf(option: string, value: string | undefined, allowed: readonly string[] | undefined): void {
  if (value !== undefined && allowed !== undefined && !allowed.includes(value)) {
    throw new SimulatorUsageError(option, `must be one of ${allowed.join(', ')}`);
  }
}

/** Pay247 and the crypto gateway send flat fields: strings and numbers only. */
function flatFields(provider: ProviderName, data: Record<string, unknown>): Record<string, string | number | null> {
  for (const [name, value] of Object.entries(data)) {
    if (value !== null && typeof value !== 'string' && typeof value !== 'number') {
      throw new SimulatorUsageError('data', `${provider} sends flat fields (strings and numbers); ${JSON.stringify(name)} is not one`);
    }
  }
  return data as Record<string, string | number | null>;
}

/** A key that does not parse is a usage error, said without the key's content. */
function rsaKey(option: string, input: RsaKeyInput, parse: typeof rsaPrivateKey): RsaKeyInput {
  try {
    return parse('simulator', option, input);
  } catch {
    const kind = parse === rsaPrivateKey ? 'private' : 'public';
    throw new SimulatorUsageError(option, `is not an RSA ${kind} key (PEM, or base64 DER)`);
  }
}

function pathAndQuery(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

/** A short, log-safe line saying what a notification is about (ids and states, never card data or signatures). */
export function describeNotification(provider: ProviderName, fields: Readonly<Record<string, unknown>>): string {
  const f = fields as Record<string, any>;
  switch (provider) {
    case 'pay247':
      // The current API's payout and payin look alike: the route, not the body, says which.
      if (f.mch_order_no !== undefined) return `current-API ${f.order_no} for order ${f.mch_order_no}, status ${f.status}, amount ${f.amount} ${f.currency}`;
      return `payout ${f.order_no} for order ${f.out_order_no}, status ${f.status}, amount ${f.amount}`;
    case 'sgate': {
      const data = (f.data ?? {}) as Record<string, unknown>;
      const id = data.ticketid ?? data.uuid ?? data.customid;
      const subject = id === undefined ? String(f.event) : `${f.event} ${id}`;
      return data.status === undefined ? subject : `${subject}, status ${data.status}`;
    }
    case 'card-issuing':
      return `${f.event}, notify_id ${f.notify_id}`;
    case 'pingpong-kyb':
      return `${f.bizType} ${f.bizId}, status ${f.status}`;
    case 'crypto-gateway': {
      const id = f.type === 'transfer' && f.ordid ? `order ${f.ordid}` : `tx ${String(f.txid).slice(0, 16)}…`;
      return `${f.type} ${id}, status ${f.status}, ${f.balance} ${f.symbol}`;
    }
  }
}
