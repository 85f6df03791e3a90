import type { Fields } from '../body/fields';

/** `secret: string | string[]` → a non-empty list; during a rotation any of them may match. */
export function secretList(provider: string, value: unknown, name = 'secret'): readonly string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((item) => typeof item === 'string' && item.length > 0)) {
    throw new TypeError(`express-payment-webhooks (${provider}): ${name} must be a non-empty string or an array of them.`);
  }
  return Object.freeze([...list] as string[]);
}

/** The prepared `{ secret }` of the providers whose credential is one shared secret (or a rotation's list). */
export interface SecretCredentials {
  secrets: readonly string[];
}

/** The credential part of a secret-keyed provider's spec: option `secret`, prepared into a checked, frozen list. */
export function secretCredentials(provider: string, check?: (secrets: readonly string[]) => void) {
  return {
    credentialOptions: ['secret'] as const,
    credentials(raw: object): SecretCredentials {
      const secrets = secretList(provider, (raw as { secret?: unknown }).secret);
      check?.(secrets);
      return Object.freeze({ secrets });
    },
  };
}

/** A top-level body field naming the account: a non-empty string, else none. */
export function accountField(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
