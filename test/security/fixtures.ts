/**
 * One fixture per provider: how to mount it, how to build a genuine
 * notification, where its signature travels, and what its failure answer
 * looks like. The security matrix runs every hostile case against each.
 */
import { createPay247WebhookMiddleware, type WebhookError } from '../../lib';
import type { WebhookMiddleware } from '../../lib/express';
import { buildPay247Notification } from '../../lib/testing';

export interface Sendable {
  /** Appended to the mount path (query strings for URL tokens). */
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

export interface MountOptions {
  onEvent: (event: unknown) => unknown;
  onError: (error: WebhookError) => void;
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
  withSignature(sendable, signature) {
    const body = String(sendable.body);
    if (sendable.headers['content-type'].startsWith('application/json')) {
      return { ...sendable, body: replaceJsonField(body, 'sign', signature) };
    }
    const rest = body.split('&').filter((pair) => !pair.startsWith('sign='));
    const signs = signature === undefined ? [] : ([] as string[]).concat(signature);
    return { ...sendable, body: [...rest, ...signs.map((s) => `sign=${encodeURIComponent(s)}`)].join('&') };
  },
  success: { status: 200, body: (body) => body === 'SUCCESS' },
  isFailureBody: (body) => body === 'fail',
  signsAllFields: true,
};

export const FIXTURES: ProviderFixture[] = [pay247Fixture];
