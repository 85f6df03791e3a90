/**
 * Every provider as a route serving many merchant accounts: how to mount it
 * with `resolveCredentials`, what a merchant's resolver returns for an
 * account, and how the provider's side signs a notification naming one
 * account with another account's (or its own) credentials.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  createCardIssuingWebhookMiddleware,
  createCryptoGatewayWebhookMiddleware,
  createPay247WebhookMiddleware,
  createPingPongKybWebhookMiddleware,
  createSgateWebhookMiddleware,
  type WebhookMiddleware,
} from '../../lib';
import { buildCardIssuingNotification, buildCryptoGatewayNotification, buildPay247Notification, buildPingPongKybNotification, buildSgateNotification } from '../../lib/testing';
import type { Sendable } from './answers-table';

/** One merchant account: its id and its own key material. */
export interface TestAccount {
  id: string;
  secret: string;
  /** SGATE: the key pair SGATE signs this account's notifications with. */
  rsa: { publicKey: KeyObject; privateKey: KeyObject };
}

export function testAccount(id: string, n: number): TestAccount {
  return { id, secret: `secret-of-account-${n}-0123456789abcdef`, rsa: KEY_PAIRS[n % KEY_PAIRS.length] };
}

const KEY_PAIRS = [generateKeyPairSync('rsa', { modulusLength: 1024 }), generateKeyPairSync('rsa', { modulusLength: 1024 })];

export interface AccountCase {
  provider: string;
  /** The middleware, resolver and other options merged in. */
  create(options: Record<string, unknown>): WebhookMiddleware;
  /** What the merchant's resolveCredentials returns for this account. */
  credentials(account: TestAccount): object;
  /** A notification naming account `named`, signed with `signer`'s credentials. `id` is its own order number (or the like). */
  notification(named: string, signer: TestAccount, id?: string): Sendable;
}

const PATH = '/notify';
const fresh = () => `${Date.now()}${Math.random().toString(36).slice(2, 10)}`;

export const ACCOUNT_CASES: AccountCase[] = [
  {
    provider: 'pay247',
    create: (options) => createPay247WebhookMiddleware(options as never),
    credentials: (account) => ({ secret: account.secret }),
    notification: (named, signer, id = fresh()) => buildPay247Notification({ secret: signer.secret, fields: { mch_id: named, order_no: `MP${id}` } }),
  },
  {
    provider: 'crypto-gateway',
    create: (options) => createCryptoGatewayWebhookMiddleware(options as never),
    credentials: (account) => ({ secret: account.secret }),
    notification: (named, signer, id = fresh()) => buildCryptoGatewayNotification({ secret: signer.secret, fields: { appkey: named, txid: `tx${id}` } }),
  },
  {
    provider: 'pingpong-kyb',
    create: (options) => createPingPongKybWebhookMiddleware({ acceptUnsignedStatus: true, ...options } as never),
    credentials: (account) => ({ secret: account.secret }),
    notification: (named, signer, id = fresh()) => buildPingPongKybNotification({ secret: signer.secret, fields: { institutionId: named, bizId: `SM${id}` } }),
  },
  {
    provider: 'card-issuing',
    create: (options) => createCardIssuingWebhookMiddleware(options as never),
    credentials: (account) => ({ secret: account.secret }),
    notification: (named, signer, id = fresh()) =>
      buildCardIssuingNotification({ token: signer.secret, notifyId: `N${id}`, customerId: /^[1-9]\d{0,14}$/.test(named) ? Number(named) : named }),
  },
  {
    provider: 'sgate',
    create: (options) => createSgateWebhookMiddleware(options as never),
    credentials: (account) => ({ publicKey: account.rsa.publicKey.export({ type: 'spki', format: 'pem' }), apiKey: account.id }),
    notification: (named, signer, id = fresh()) =>
      buildSgateNotification({ privateKey: signer.rsa.privateKey, apiKey: named, url: PATH, event: 'OFFLINE_TRANSFER_NOTIFICATION', data: { uuid: `U${id}` } }),
  },
];
