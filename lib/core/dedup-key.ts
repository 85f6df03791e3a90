import type { AnyWebhookEvent } from './event';

/**
 * The key a notification is claimed, remembered and stored under.
 * Static credentials: `provider:id`, exactly as ever, so the dedup stores'
 * and inboxes' existing keys still match after an upgrade. With
 * resolveCredentials: `provider@<account>:id`, the account percent-encoded
 * (`:`, `@` and `%` included), so no two accounts' notifications share a key
 * whatever their ids hold, and none shares one with a static-mode key.
 */
export function dedupKeyOf(provider: string, event: Pick<AnyWebhookEvent, 'id' | 'account'>): string {
  if (event.account === undefined) return `${provider}:${event.id}`;
  return `${provider}@${encodeURIComponent(event.account)}:${event.id}`;
}
