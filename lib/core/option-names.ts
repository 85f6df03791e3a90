import type { AnyWebhookEvent } from './event';
import type { WebhookOptions } from './options';

/** Every option name of T, as a record: the compiler checks that none is missing. */
export type OptionNames<T> = { readonly [K in keyof T]-?: true };

/** The names a provider adds to the options every middleware takes. */
export type OwnOptionNames<T> = OptionNames<Omit<T, keyof WebhookOptions<AnyWebhookEvent>>>;

const COMMON_OPTIONS: OptionNames<WebhookOptions<AnyWebhookEvent>> = {
  onEvent: true,
  store: true,
  dedupKey: true,
  limit: true,
  handlerTimeoutMs: true,
  // Shared with the hard-timeout work landing alongside; listed so the name is accepted whichever lands first.
  hardTimeoutMs: true,
  readTimeoutMs: true,
  lockTtlMs: true,
  doneTtlMs: true,
  allowIps: true,
  confirm: true,
  onError: true,
  logger: true,
  inbox: true,
  transactional: true,
  credentialsCacheMs: true,
};

/**
 * A middleware factory's first check: options given, and every name known.
 * A misspelt name (`handlerTimeout`) would otherwise be ignored in silence
 * and its default used.
 */
export function checkMiddlewareOptions(provider: string, usage: string, options: unknown, own: Readonly<Record<string, true>>): void {
  const where = `express-payment-webhooks (${provider})`;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${where}: options are required: ${usage}.`);
  }
  assertKnownOptions(where, options, { ...COMMON_OPTIONS, ...own });
}

/** Refuses an option name that is not in `known`, naming it and the closest known name. */
export function assertKnownOptions(where: string, options: object, known: Readonly<Record<string, true | undefined>>): void {
  const names = Object.keys(known);
  for (const name of Object.keys(options)) {
    if (Object.hasOwn(known, name)) continue;
    const closest = closestName(name, names);
    const hint = closest === undefined ? ` Known options: ${names.join(', ')}.` : ` Did you mean ${closest}?`;
    throw new TypeError(`${where}: unknown option "${name.slice(0, 60)}".${hint}`);
  }
}

/** The known name nearest to `name` (case ignored), if near enough to be what was meant. */
function closestName(name: string, names: readonly string[]): string | undefined {
  const typed = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of names) {
    const lower = candidate.toLowerCase();
    // A known name with a piece left off or added (handlerTimeout, handlerTimeoutMs) is what was meant.
    const distance = lower.startsWith(typed) || typed.startsWith(lower) ? Math.abs(lower.length - typed.length) : editDistance(typed, lower);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Number.POSITIVE_INFINITY;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
