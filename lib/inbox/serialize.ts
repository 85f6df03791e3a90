import type { AnyWebhookEvent } from '../core/event';

/** JSON; `receivedAt` becomes an ISO string (Date's toJSON). */
export function serializeEvent(event: AnyWebhookEvent): string {
  return JSON.stringify({
    provider: event.provider,
    id: event.id,
    type: event.type,
    data: event.data,
    signedFields: event.signedFields,
    receivedAt: event.receivedAt,
  });
}

/**
 * The event as the handler first would have seen it: `receivedAt` a Date
 * again, and `data` made of null-prototype objects like the parsers' output.
 */
export function reviveEvent(text: string): AnyWebhookEvent {
  const stored = JSON.parse(text, withoutPrototype) as Record<string, unknown>;
  const receivedAt = new Date(stored.receivedAt as string);
  if (typeof stored.provider !== 'string' || typeof stored.id !== 'string' || typeof stored.type !== 'string' || Number.isNaN(receivedAt.getTime())) {
    throw new TypeError('The stored event is not one this package wrote.');
  }
  return {
    provider: stored.provider,
    id: stored.id,
    type: stored.type,
    data: stored.data,
    signedFields: Array.isArray(stored.signedFields) ? (stored.signedFields as string[]) : [],
    receivedAt,
  };
}

function withoutPrototype(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  // JSON.parse made "__proto__" an own property; defining it on a
  // null-prototype object keeps it one, so nothing reaches a prototype.
  const copy = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value)) Object.defineProperty(copy, key, { value: (value as Record<string, unknown>)[key], enumerable: true, writable: true, configurable: true });
  return copy;
}
