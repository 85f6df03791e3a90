/**
 * One fixture per provider: how to mount it, how to build a genuine
 * notification, where its signature travels, and what its failure answer
 * looks like. The security matrix runs every hostile case against each.
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  createCardIssuingWebhookMiddleware,
  createCryptoGatewayWebhookMiddleware,
  createPay247WebhookMiddleware,
  createPingPongKybWebhookMiddleware,
  createSgateWebhookMiddleware,
  type WebhookError,
  type WebhookLogger,
} from '../../lib';
import type { WebhookMiddleware } from '../../lib/express';
import {
  buildCardIssuingNotification,
  buildCryptoGatewayNotification,
  buildPay247Notification,
  buildPingPongKybNotification,
  buildSgateNotification,
} from '../../lib/testing';

/** Where the matrix mounts every provider (SGATE signs the path). */
export const MOUNT_PATH = '/hook';

export interface Sendable {
  /** Appended to the mount path (query strings for URL tokens). */
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

export interface MountOptions {
  onEvent: (event: unknown) => unknown;
  onError: (error: WebhookError) => void;
  logger?: WebhookLogger;
  handlerTimeoutMs?: number;
  readTimeoutMs?: number;
  limit?: number | string;
}

export interface ProviderFixture {
  provider: string;
  /** Values that must never appear in an answer or an onError message. */
  secrets: string[];
  /** Card data / personal data in the genuine notification that must never leak either. */
  sensitive: string[];
  mount(options: MountOptions): WebhookMiddleware;
  /** A genuine notification; each call is a new notification (fresh ids). */
  genuine(format?: 'json' | 'form' | 'xml'): Sendable;
  /** The formats this provider sends. */
  formats: Array<'json' | 'form' | 'xml'>;
  /** The same notification signed with a key the merchant does not hold. */
  signedWithAnotherKey(): Sendable;
  /** Replace the signature (string), send it as a repeated value (array), or drop it (undefined). */
  withSignature(sendable: Sendable, signature: string | string[] | undefined): Sendable;
  /** The provider's success and failure answers. */
  success: { status: number; body: (body: string) => boolean };
  isFailureBody(body: string): boolean;
  /** Providers whose signature leaves some fields uncovered (they are still checked for shape). */
  signsAllFields: boolean;
  /** The notification's top-level fields as the handler receives them. */
  topLevel(event: unknown): Record<string, unknown>;
}

const PAY247_SECRET = 'pay247-secret-XYZ-0001';

function replaceJsonField(body: string, field: string, value: unknown): string {
  const parsed = JSON.parse(body);
  if (value === undefined) delete parsed[field];
  else parsed[field] = value;
  return JSON.stringify(parsed);
}

export const pay247Fixture: ProviderFixture = {
  provider: 'pay247',
  secrets: [PAY247_SECRET],
  sensitive: ['622848998832432432'],
  formats: ['json', 'form'],
  mount: (options) => createPay247WebhookMiddleware({ secret: PAY247_SECRET, ...options }),
  genuine(format = 'json') {
    const n = buildPay247Notification({ secret: PAY247_SECRET, format: format === 'form' ? 'form' : 'json' });
    return { path: '', headers: n.headers, body: n.body };
  },
  signedWithAnotherKey() {
    const n = buildPay247Notification({ secret: 'someone-elses-key' });
    return { path: '', headers: n.headers, body: n.body };
  },
  withSignature: replaceBodySignature,
  success: { status: 200, body: (body) => body === 'SUCCESS' },
  isFailureBody: (body) => body === 'fail',
  signsAllFields: true,
  topLevel: (event) => (event as { data: Record<string, unknown> }).data,
};

function rsaPair() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

const sgateSystem = rsaPair();
const sgateMerchant = rsaPair();
const sgateStranger = rsaPair();
const SGATE_API_KEY = 'sgate-api-key-SECRET-77';

function sgate(privateKey: string): Sendable {
  const n = buildSgateNotification({ privateKey, apiKey: SGATE_API_KEY, url: MOUNT_PATH, encryptFor: sgateMerchant.publicPem });
  return { path: '', headers: n.headers, body: n.body };
}

export const sgateFixture: ProviderFixture = {
  provider: 'sgate',
  secrets: [SGATE_API_KEY, sgateMerchant.privatePem.split('\n')[1]],
  // The sample customer's sensitive fields, which arrive encrypted and are decrypted for the handler.
  sensitive: ['4000001234567899', '1098765432', '966500000001'],
  formats: ['json'],
  mount: (options) => createSgateWebhookMiddleware({ publicKey: sgateSystem.publicPem, apiKey: SGATE_API_KEY, privateKey: sgateMerchant.privatePem, ...options }),
  genuine: () => sgate(sgateSystem.privatePem),
  signedWithAnotherKey: () => sgate(sgateStranger.privatePem),
  withSignature(sendable, signature) {
    const headers = { ...sendable.headers };
    for (const name of Object.keys(headers)) if (name.toLowerCase() === 'v-signature') delete headers[name];
    if (signature !== undefined) headers['V-Signature'] = ([] as string[]).concat(signature).join(', ');
    return { ...sendable, headers };
  },
  success: { status: 200, body: () => true },
  isFailureBody: (body) => body !== '' && !/4000001234567899|sgate-api-key/.test(body),
  signsAllFields: true,
  topLevel: (event) => (event as { envelope: Record<string, unknown> }).envelope,
};

const CARD_TOKEN = 'card-issuing-token-SECRET-0042';

export const cardIssuingFixture: ProviderFixture = {
  provider: 'card-issuing',
  secrets: [CARD_TOKEN],
  sensitive: ['907152573585214424064'],
  formats: ['json'],
  mount: (options) => createCardIssuingWebhookMiddleware({ secret: CARD_TOKEN, ...options }),
  genuine: () => {
    const n = buildCardIssuingNotification();
    return { path: `?token=${CARD_TOKEN}`, headers: n.headers, body: n.body };
  },
  signedWithAnotherKey: () => {
    const n = buildCardIssuingNotification();
    return { path: '?token=another-token-of-someone-else', headers: n.headers, body: n.body };
  },
  withSignature(sendable, token) {
    if (token === undefined) return { ...sendable, path: '' };
    return { ...sendable, path: '?' + ([] as string[]).concat(token).map((t) => `token=${encodeURIComponent(t)}`).join('&') };
  },
  success: { status: 200, body: (body) => JSON.parse(body).code === 0 },
  isFailureBody: (body) => {
    try {
      const parsed = JSON.parse(body) as { code?: unknown; message?: unknown };
      return typeof parsed.code === 'number' && parsed.code !== 0 && typeof parsed.message === 'string';
    } catch {
      return false;
    }
  },
  signsAllFields: false,
  topLevel: (event) => (event as { envelope: Record<string, unknown> }).envelope,
};

function replaceBodySignature(sendable: Sendable, signature: string | string[] | undefined): Sendable {
  const body = String(sendable.body);
  const type = sendable.headers['content-type'];
  if (type.includes('json')) return { ...sendable, body: replaceJsonField(body, 'sign', signature) };
  const signs = signature === undefined ? [] : ([] as string[]).concat(signature);
  if (type.includes('xml')) {
    const stripped = body.replace(/<sign>[^<]*<\/sign>/, '');
    return { ...sendable, body: stripped.replace('</response>', `${signs.map((v) => `<sign>${v}</sign>`).join('')}</response>`) };
  }
  const rest = body.split('&').filter((pair) => !pair.startsWith('sign='));
  return { ...sendable, body: [...rest, ...signs.map((v) => `sign=${encodeURIComponent(v)}`)].join('&') };
}

const PINGPONG_SALT = 'pingpong-salt-SECRET-55';

export const pingPongFixture: ProviderFixture = {
  provider: 'pingpong-kyb',
  secrets: [PINGPONG_SALT],
  sensitive: [],
  formats: ['json'],
  mount: (options) => createPingPongKybWebhookMiddleware({ secret: PINGPONG_SALT, acceptUnsignedStatus: true, ...options }),
  genuine: () => {
    const n = buildPingPongKybNotification({ secret: PINGPONG_SALT });
    return { path: '', headers: n.headers, body: n.body };
  },
  signedWithAnotherKey: () => {
    const n = buildPingPongKybNotification({ secret: 'another-salt' });
    return { path: '', headers: n.headers, body: n.body };
  },
  withSignature: replaceBodySignature,
  success: { status: 200, body: (body) => body === '' },
  isFailureBody: (body) => body === 'FAIL',
  signsAllFields: false,
  topLevel: (event) => (event as { data: Record<string, unknown> }).data,
};

const CRYPTO_KEY = 'crypto-gateway-key-SECRET-99';

function crypto(secret: string, format: 'json' | 'form' | 'xml'): Sendable {
  const n = buildCryptoGatewayNotification({ secret, format, signIn: 'body' });
  return { path: '', headers: n.headers, body: n.body };
}

export const cryptoGatewayFixture: ProviderFixture = {
  provider: 'crypto-gateway',
  secrets: [CRYPTO_KEY],
  sensitive: [],
  formats: ['json', 'form', 'xml'],
  mount: (options) => createCryptoGatewayWebhookMiddleware({ secret: CRYPTO_KEY, ...options }),
  genuine: (format = 'json') => crypto(CRYPTO_KEY, format),
  signedWithAnotherKey: () => crypto('another-key', 'json'),
  withSignature: replaceBodySignature,
  success: { status: 200, body: (body) => body === 'success' },
  isFailureBody: (body) => body === 'fail',
  signsAllFields: true,
  topLevel: (event) => (event as { data: Record<string, unknown> }).data,
};

export const FIXTURES: ProviderFixture[] = [pay247Fixture, sgateFixture, cardIssuingFixture, pingPongFixture, cryptoGatewayFixture];
