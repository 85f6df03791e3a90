import { createRawBodyReader, parseByteLimit, type RawBodyReader } from '../body/read-raw-body';
import { MemoryDedupStore } from '../dedup/memory-store';
import { DAY_MS, positiveMs } from './durations';
import type { DedupStore } from '../dedup/store';
import { exclusiveRunner, type ExclusiveRunner } from './run-exclusive';
import type { Inbox } from '../inbox/inbox';
import type { AnyWebhookEvent } from './event';
import { createIpAllowList, type IpAllowList } from './ip-allow-list';
import type { WebhookOptions, WebhookRequest } from './options';

export interface Settings {
  store: DedupStore;
  readRaw: RawBodyReader;
  handlerTimeoutMs: number;
  lockTtlMs: number;
  doneTtlMs: number;
  allowIp: IpAllowList | undefined;
  /** Option `transactional`: runs the handler in the store's transaction. */
  runExclusive: ExclusiveRunner | undefined;
}

/** Validates options once, at startup: a misconfiguration throws here, not per request. */
export function resolveSettings<E extends AnyWebhookEvent, Req extends WebhookRequest>(
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
  const handlerTimeoutMs = positiveMs(where, 'handlerTimeoutMs', options.handlerTimeoutMs, 5000);
  const limit = options.limit === undefined ? 64 * 1024 : parseByteLimit(options.limit);
  if (limit === undefined) throw new TypeError(`${where}: limit must be a number of bytes or a string like '64kb'.`);
  if (options.allowIps !== undefined && !Array.isArray(options.allowIps)) {
    throw new TypeError(`${where}: allowIps must be an array of addresses or CIDR ranges.`);
  }
  return {
    store: options.store ?? new MemoryDedupStore(),
    readRaw: createRawBodyReader({ limit, timeoutMs: positiveMs(where, 'readTimeoutMs', options.readTimeoutMs, 10_000) }),
    handlerTimeoutMs,
    lockTtlMs: positiveMs(where, 'lockTtlMs', options.lockTtlMs, 2 * handlerTimeoutMs + 5000),
    doneTtlMs: positiveMs(where, 'doneTtlMs', options.doneTtlMs, 3 * DAY_MS),
    allowIp: options.allowIps === undefined ? undefined : createIpAllowList(options.allowIps),
    runExclusive: exclusiveRunner(where, options),
  };
}
