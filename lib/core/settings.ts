import { createRawBodyReader, parseByteLimit, type RawBodyReader, type RawBodyReaderOptions } from '../body/read-raw-body';
import { MemoryDedupStore } from '../dedup/memory-store';
import { DAY_MS, positiveMs } from './durations';
import type { DedupStore } from '../dedup/store';
import { exclusiveRunner, type ExclusiveRunner } from './run-exclusive';
import type { Inbox } from '../inbox/inbox';
import type { AnyWebhookEvent } from './event';
import { createIpAllowList, type IpAllowList } from './ip-allow-list';
import type { WebhookOptions } from './options';
import { MAX_TIMER_MS } from './timer-ms';

export interface Settings {
  store: DedupStore;
  readRaw: RawBodyReader;
  bodyLimits: RawBodyReaderOptions;
  handlerTimeoutMs: number;
  hardTimeoutMs: number;
  lockTtlMs: number;
  doneTtlMs: number;
  allowIp: IpAllowList | undefined;
  /** Option `transactional`: runs the handler in the store's transaction. */
  runExclusive: ExclusiveRunner | undefined;
}

const DEDUP_STORE_METHODS = ['claim', 'renew', 'complete', 'release'] as const;

/** A duration the pipeline sets a timer for (one above MAX_TIMER_MS would fire at once). */
function timerMs(where: string, name: string, value: number | undefined, fallback: number): number {
  const ms = positiveMs(where, name, value, fallback);
  if (ms > MAX_TIMER_MS) throw new TypeError(`${where}: ${name} must be at most ${MAX_TIMER_MS} ms (about 24.8 days).`);
  return ms;
}

/** Validates options once, at startup: a misconfiguration throws here, not per request. */
export function resolveSettings<E extends AnyWebhookEvent, Req>(
  provider: string,
  options: WebhookOptions<E, Req>,
): Settings {
  const where = `express-payment-webhooks (${provider})`;
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options are required.`);
  if (typeof options.onEvent !== 'function') throw new TypeError(`${where}: onEvent must be a function.`);
  for (const name of ['dedupKey', 'confirm', 'onError'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new TypeError(`${where}: ${name} must be a function.`);
    }
  }
  const inbox = options.inbox as Partial<Inbox> | null | undefined;
  if (inbox !== undefined && (inbox === null || typeof inbox.put !== 'function' || typeof inbox.register !== 'function')) {
    throw new TypeError(`${where}: inbox must be a SqliteInbox or a RedisInbox.`);
  }
  const store = options.store as Partial<DedupStore> | null | undefined;
  if (store !== undefined && (store === null || typeof store !== 'object' || DEDUP_STORE_METHODS.some((method) => typeof store[method] !== 'function'))) {
    // Caught here, not as a failure on every request: a store written before renew() existed lacks it.
    throw new TypeError(`${where}: store must be a DedupStore (with ${DEDUP_STORE_METHODS.join(', ')}), e.g. new RedisDedupStore({ url }).`);
  }
  const handlerTimeoutMs = timerMs(where, 'handlerTimeoutMs', options.handlerTimeoutMs, 5000);
  const hardTimeoutMs = timerMs(where, 'hardTimeoutMs', options.hardTimeoutMs, Math.min(MAX_TIMER_MS, Math.max(60_000, 10 * handlerTimeoutMs)));
  if (hardTimeoutMs < handlerTimeoutMs) throw new TypeError(`${where}: hardTimeoutMs must be at least handlerTimeoutMs.`);
  const limit = options.limit === undefined ? 64 * 1024 : parseByteLimit(options.limit);
  if (limit === undefined) throw new TypeError(`${where}: limit must be a number of bytes or a string like '64kb'.`);
  if (options.allowIps !== undefined && !Array.isArray(options.allowIps)) {
    throw new TypeError(`${where}: allowIps must be an array of addresses or CIDR ranges.`);
  }
  const bodyLimits = { limit, timeoutMs: timerMs(where, 'readTimeoutMs', options.readTimeoutMs, 10_000) };
  return {
    store: options.store ?? new MemoryDedupStore(),
    readRaw: createRawBodyReader(bodyLimits),
    bodyLimits,
    handlerTimeoutMs,
    hardTimeoutMs,
    lockTtlMs: positiveMs(where, 'lockTtlMs', options.lockTtlMs, 2 * handlerTimeoutMs + 5000),
    doneTtlMs: positiveMs(where, 'doneTtlMs', options.doneTtlMs, 3 * DAY_MS),
    allowIp: options.allowIps === undefined ? undefined : createIpAllowList(options.allowIps),
    runExclusive: exclusiveRunner(where, options),
  };
}
