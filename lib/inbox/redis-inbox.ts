import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type Redis from 'ioredis';
import { closeRedisClient, createRedisClient, isReplyError } from '../redis/client';
import { assertKnownOptions, type OptionNames } from '../core/option-names';
import { requireUrlOrClient } from '../redis/url-or-client';
import { DurableInbox, INBOX_OPTION_NAMES, type InboxOptions } from './durable-inbox';
import { DAY_MS } from '../core/durations';
import type { InboxEntry, InboxState, InboxListOptions, InboxPurgeOptions } from './inbox';
import { scripts } from './redis-scripts';
import { LIST_LIMIT, listedStates, toInboxEntry, type InboxStorage, type LeasedEntry } from './storage';

export interface RedisInboxOptions extends InboxOptions {
  /** `redis://host:port/db`; a connection the inbox opens and closes itself. */
  url?: string;
  /** Or an ioredis client of yours (not closed by `close()`). Give it `maxRetriesPerRequest` small enough to fail fast. */
  client?: Redis;
  /** Key prefix; every key of the inbox is `{prefix}:…` (one hash slot). Default 'epw:inbox'. */
  prefix?: string;
}

const REDIS_INBOX_OPTION_NAMES: OptionNames<RedisInboxOptions> & { readonly timeoutMs?: true } = {
  ...INBOX_OPTION_NAMES,
  url: true,
  client: true,
  prefix: true,
  // Shared with the Redis time-bounds work landing alongside; listed so the name is accepted whichever lands first.
  timeoutMs: true,
};

/**
 * The inbox for several instances of an app: one Redis Stream per provider,
 * read through a consumer group, so each notification goes to one instance;
 * an instance that dies leaves its messages pending, and another one takes
 * them over with XAUTOCLAIM once their lease (idle time) has run out.
 *
 * Durable as far as your Redis is: `appendonly yes` with `appendfsync always`
 * means a write is on disk before the provider is acked.
 */
export class RedisInbox extends DurableInbox {
  constructor(options: RedisInboxOptions) {
    const where = 'express-payment-webhooks (RedisInbox)';
    if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options are required: new RedisInbox({ url: 'redis://127.0.0.1:6379' }).`);
    assertKnownOptions(where, options, REDIS_INBOX_OPTION_NAMES);
    requireUrlOrClient(where, options);
    if (options.url !== undefined && (typeof options.url !== 'string' || options.url === '')) throw new TypeError(`${where}: url must be a redis:// or rediss:// URL.`);
    if (options.client !== undefined && (options.client === null || typeof options.client.xadd !== 'function')) {
      throw new TypeError(`${where}: client must be an ioredis client.`);
    }
    const prefix = options.prefix ?? 'epw:inbox';
    if (typeof prefix !== 'string' || prefix === '' || /[{}]/.test(prefix)) throw new TypeError(`${where}: prefix must be a non-empty string without braces.`);
    const client = options.client ?? connect(options.url!);
    super(where, new RedisInboxStorage(client, prefix, options.client === undefined), options);
  }
}

/**
 * The inbox's own client. A command fails after one reconnection attempt
 * rather than wait in a queue: a put that cannot be stored must answer 503
 * while the provider still waits.
 */
function connect(url: string): Redis {
  return createRedisClient(url, { maxRetriesPerRequest: 1 });
}

const GROUP = 'workers';
/** Due retries moved back onto their streams per poll. */
const PROMOTE_BATCH = 100;
/** Consumers (dead instances) with nothing pending are forgotten after a day. */
const FORGET_CONSUMER_MS = DAY_MS;

type StreamMessage = [id: string, fields: string[]];

export class RedisInboxStorage implements InboxStorage {
  private readonly base: string;
  private readonly consumer = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly groups = new Set<string>();
  private readonly reclaimCursors = new Map<string, string>();

  constructor(
    private readonly client: Redis,
    prefix: string,
    private readonly owned: boolean,
  ) {
    this.base = `{${prefix}}`;
  }

  private entryKey(key: string): string {
    return `${this.base}:entry:${key}`;
  }

  private stream(provider: string): string {
    return `${this.base}:stream:${provider}`;
  }

  private index(name: 'pending' | 'retry' | 'done' | 'dead'): string {
    return `${this.base}:${name}`;
  }

  async put(key: string, provider: string, event: string, now: number): Promise<'stored' | 'duplicate'> {
    const stored = await scripts.put.run(this.client, [this.entryKey(key), this.stream(provider), this.index('pending')], [key, provider, event, now]);
    return stored === 1 ? 'stored' : 'duplicate';
  }

  async lease(providers: readonly string[], limit: number, now: number, leaseMs: number): Promise<LeasedEntry[]> {
    await scripts.promote.run(this.client, [this.index('retry')], [this.base, now, PROMOTE_BATCH]);
    const leased: LeasedEntry[] = [];
    try {
      for (const provider of providers) {
        if (leased.length >= limit) break;
        await this.ensureGroup(provider);
        // First what crashed consumers left behind, then new messages.
        for (const message of await this.reclaim(provider, limit - leased.length, leaseMs)) await this.start(provider, message, leased);
        if (leased.length >= limit) break;
        for (const message of await this.read(provider, limit - leased.length)) await this.start(provider, message, leased);
      }
    } catch (error) {
      // Redis restarted without its data: the groups are gone and are made again.
      if (isReplyError(error, 'NOGROUP')) this.groups.clear();
      throw error;
    }
    return leased;
  }

  private async ensureGroup(provider: string): Promise<void> {
    if (this.groups.has(provider)) return;
    try {
      await this.client.call('XGROUP', 'CREATE', this.stream(provider), GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!isReplyError(error, 'BUSYGROUP')) throw error;
    }
    this.groups.add(provider);
  }

  private async reclaim(provider: string, count: number, leaseMs: number): Promise<StreamMessage[]> {
    const cursor = this.reclaimCursors.get(provider) ?? '0-0';
    const reply = (await this.client.call('XAUTOCLAIM', this.stream(provider), GROUP, this.consumer, Math.ceil(leaseMs), cursor, 'COUNT', count)) as [
      string,
      StreamMessage[],
    ];
    this.reclaimCursors.set(provider, reply[0]);
    return reply[1].filter((message) => message !== null);
  }

  private async read(provider: string, count: number): Promise<StreamMessage[]> {
    const reply = (await this.client.call('XREADGROUP', 'GROUP', GROUP, this.consumer, 'COUNT', count, 'STREAMS', this.stream(provider), '>')) as
      | Array<[string, StreamMessage[]]>
      | null;
    return reply?.[0]?.[1] ?? [];
  }

  private async start(provider: string, [id, fields]: StreamMessage, leased: LeasedEntry[]): Promise<void> {
    const key = fields[fields.indexOf('key') + 1];
    const started = (await scripts.start.run(this.client, [this.entryKey(key), this.stream(provider)], [GROUP, id])) as [number, string, string] | null;
    if (started === null) return;
    leased.push({ key, provider, event: started[1], attempt: Number(started[0]), storedAt: Number(started[2]), lease: id });
  }

  async renew(entry: LeasedEntry): Promise<boolean> {
    // The lease is the message's idle time in Redis, not a time of ours.
    return (await scripts.renew.run(this.client, [this.entryKey(entry.key), this.stream(entry.provider)], [GROUP, entry.lease, this.consumer])) === 1;
  }

  async complete(entry: LeasedEntry, now: number): Promise<boolean> {
    const keys = [this.entryKey(entry.key), this.stream(entry.provider), this.index('pending'), this.index('done')];
    return (await scripts.complete.run(this.client, keys, [GROUP, entry.lease, this.consumer, entry.key, now])) === 1;
  }

  async retry(entry: LeasedEntry, nextAttemptAt: number, error: string): Promise<boolean> {
    const keys = [this.entryKey(entry.key), this.stream(entry.provider), this.index('retry')];
    return (await scripts.retry.run(this.client, keys, [GROUP, entry.lease, this.consumer, entry.key, nextAttemptAt, error])) === 1;
  }

  async bury(entry: LeasedEntry, now: number, error: string): Promise<boolean> {
    const keys = [this.entryKey(entry.key), this.stream(entry.provider), this.index('pending'), this.index('dead')];
    return (await scripts.bury.run(this.client, keys, [GROUP, entry.lease, this.consumer, entry.key, now, error])) === 1;
  }

  async prune(before: number): Promise<void> {
    await this.deleteFinished(this.index('done'), `(${before}`);
    for (const provider of this.groups) await this.forgetIdleConsumers(provider);
  }

  /** Each instance reads as a consumer of its own name; those of stopped instances would pile up. */
  private async forgetIdleConsumers(provider: string): Promise<void> {
    const consumers = (await this.client.call('XINFO', 'CONSUMERS', this.stream(provider), GROUP)) as Array<Array<string | number>>;
    for (const fields of consumers) {
      const info = pairs(fields);
      if (info.name !== this.consumer && Number(info.pending) === 0 && Number(info.idle) > FORGET_CONSUMER_MS) {
        await this.client.call('XGROUP', 'DELCONSUMER', this.stream(provider), GROUP, String(info.name));
      }
    }
  }

  async list(options: InboxListOptions): Promise<InboxEntry[]> {
    const limit = options.limit ?? LIST_LIMIT;
    const found: InboxEntry[] = [];
    for (const state of listedStates(options)) {
      // Pages through the index, so a provider filter still finds `limit` entries.
      let ofState = 0;
      for (let start = 0; ofState < limit; start += 500) {
        const keys = await this.client.zrange(this.index(state), start, start + 499);
        for (const key of keys) {
          const entry = await this.get(key);
          if (entry === undefined || (options.provider !== undefined && entry.provider !== options.provider)) continue;
          found.push(entry);
          ofState++;
        }
        if (keys.length < 500) break;
      }
    }
    return found.sort((a, b) => a.storedAt.getTime() - b.storedAt.getTime() || (a.key < b.key ? -1 : 1)).slice(0, limit);
  }

  async get(key: string): Promise<InboxEntry | undefined> {
    const hash = await this.client.hgetall(this.entryKey(key));
    if (hash.state === undefined) return undefined;
    return toInboxEntry({
      key,
      provider: hash.provider,
      state: hash.state as InboxState,
      attempts: Number(hash.attempts),
      storedAt: Number(hash.storedAt),
      nextAttemptAt: hash.nextAttemptAt === undefined ? undefined : Number(hash.nextAttemptAt),
      finishedAt: hash.finishedAt === undefined ? undefined : Number(hash.finishedAt),
      lastError: hash.lastError,
      event: hash.event,
    });
  }

  async replay(keys: readonly string[] | 'dead', now: number): Promise<string[]> {
    const candidates = keys === 'dead' ? await this.client.zrange(this.index('dead'), 0, -1) : keys;
    const replayed: string[] = [];
    for (const key of candidates) {
      const indexes = [this.entryKey(key), this.index('retry'), this.index('pending'), this.index('dead')];
      if ((await scripts.replay.run(this.client, indexes, [this.base, key, now])) === 1) replayed.push(key);
    }
    return replayed;
  }

  async purge(options: InboxPurgeOptions): Promise<number> {
    const before = options.finishedBefore === undefined ? '+inf' : `(${options.finishedBefore.getTime()}`;
    return this.deleteFinished(this.index(options.state ?? 'done'), before);
  }

  /** Deletes the entries of a done or dead index finished by `max` (a ZRANGEBYSCORE bound), 500 per script run; returns how many. */
  private async deleteFinished(index: string, max: string): Promise<number> {
    let deleted = 0;
    for (;;) {
      const batch = Number(await scripts.purge.run(this.client, [index], [this.base, max, 500]));
      deleted += batch;
      if (batch < 500) return deleted;
    }
  }

  async close(): Promise<void> {
    if (this.owned) await closeRedisClient(this.client);
  }
}

function pairs(fields: Array<string | number>): Record<string, string | number> {
  const out: Record<string, string | number> = Object.create(null);
  for (let i = 0; i + 1 < fields.length; i += 2) out[String(fields[i])] = fields[i + 1];
  return out;
}
