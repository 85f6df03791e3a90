import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type Redis from 'ioredis';
import { asRedis, closeRedisClient, createRedisClient, isReplyError } from '../redis/client';
import type { IoredisClient } from '../redis/ioredis-client';
import { assertKnownOptions, type OptionNames } from '../core/option-names';
import { requireUrlOrClient } from '../redis/url-or-client';
import { DurableInbox, INBOX_OPTION_NAMES, type InboxOptions } from './durable-inbox';
import { DAY_MS, positiveMs } from '../core/durations';
import type { InboxCount, InboxEntry, InboxHistoryRecord, InboxState, InboxListOptions, InboxPurgeOptions } from './inbox';
import { ScriptBatch } from '../redis/script-batch';
import { scripts } from './redis-scripts';
import { makePartitions, MAX_PARTITIONS, partitionIndexOf, type RedisInboxPartition } from './redis-partitions';
import { settleWithin } from '../core/settle-within';
import { LIST_LIMIT, listedStates, sortCounts, toHistoryRecord, toInboxEntry, type InboxStorage, type LeasedEntry, type StoredHistoryRecord } from './storage';

export interface RedisInboxOptions extends InboxOptions {
  /** `redis://host:port/db`; a connection the inbox opens and closes itself. */
  url?: string;
  /** Or an ioredis client of yours (not closed by `close()`). Give it `maxRetriesPerRequest` small enough to fail fast. */
  client?: IoredisClient;
  /** Key prefix; every key of the inbox is `{prefix}:…` (one hash slot). Default 'epw:inbox'. A client's own `keyPrefix` goes before it. */
  prefix?: string;
  /**
   * On a Redis Cluster: how many partitions the entries are spread over, each
   * under its own hash tag (`{prefix}`, `{prefix#1}`, …), so the masters share
   * the inbox's load; an entry's partition is a hash of its key. Default 1 (one
   * slot: the layout of an inbox without partitions). Every process of the app
   * must use the same number; change it only once the inbox is drained (no
   * pending entries), as entries stay in the partition they were stored in.
   */
  partitions?: number;
  /**
   * The most any one Redis command of the inbox waits, connecting included.
   * A put past it fails, and the middleware answers 503 (INBOX_UNAVAILABLE)
   * without acking; a lease past it is an outage, retried at the next poll.
   * Default 1000.
   */
  timeoutMs?: number;
}

const REDIS_INBOX_OPTION_NAMES: OptionNames<RedisInboxOptions> = {
  ...INBOX_OPTION_NAMES,
  url: true,
  client: true,
  prefix: true,
  partitions: true,
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
    if (options.client !== undefined && (options.client === null || typeof options.client.evalsha !== 'function')) {
      throw new TypeError(`${where}: client must be an ioredis client.`);
    }
    const prefix = options.prefix ?? 'epw:inbox';
    if (typeof prefix !== 'string' || prefix === '' || /[{}]/.test(prefix)) throw new TypeError(`${where}: prefix must be a non-empty string without braces.`);
    const timeoutMs = positiveMs(where, 'timeoutMs', options.timeoutMs, 1000);
    const partitions = options.partitions ?? 1;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
      throw new TypeError(`${where}: partitions must be an integer from 1 to ${MAX_PARTITIONS} (the number of hash tags the entries are spread over), e.g. 3 for a cluster of three masters.`);
    }
    const client = options.client ?? connect(options.url!);
    super(where, new RedisInboxStorage(client, prefix, options.client === undefined, timeoutMs, partitions), options);
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
  private readonly partitions: RedisInboxPartition[];
  /** Which partition a delivery round looks at first: each in turn, so none waits behind the others. */
  private firstPartition = 0;
  private readonly consumer = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly groups = new Set<string>();
  private readonly reclaimCursors = new Map<string, string>();
  /** Puts come one per request, many per turn under load, and so do starts and outcomes: the script calls of a turn leave in one write. */
  private readonly scriptCalls: ScriptBatch;
  /** Each script's timeout error, made once (not a closure per call). */
  private readonly lateErrors: Record<keyof typeof scripts, () => Error>;

  private readonly client: Redis;

  constructor(
    client: IoredisClient,
    prefix: string,
    private readonly owned: boolean,
    private readonly timeoutMs = 1000,
    partitions = 1,
  ) {
    this.client = asRedis(client);
    this.partitions = makePartitions(prefix, partitions);
    // Every call brings its own timeout error, naming its script (run()).
    this.scriptCalls = new ScriptBatch(this.client);
    const lateError = (script: string) => () => new Error(`RedisInbox: Redis did not answer ${script} within ${timeoutMs} ms.`);
    this.lateErrors = Object.fromEntries(Object.keys(scripts).map((script) => [script, lateError(script)])) as Record<keyof typeof scripts, () => Error>;
  }

  /** The partition an entry is stored in. */
  private partitionOf(key: string): RedisInboxPartition {
    return this.partitions[partitionIndexOf(key, this.partitions.length)];
  }

  /** One Redis round trip, bounded by timeoutMs: past it the call fails (the command may still run; every script is safe to have run). */
  private bounded<T>(what: string, call: () => Promise<T>): Promise<T> {
    return settleWithin(call(), this.timeoutMs, () => new Error(`RedisInbox: Redis did not answer ${what} within ${this.timeoutMs} ms.`));
  }

  /**
   * One script call, bounded by timeoutMs: sent with the others of this turn
   * in one write, under one deadline timer per batch (lib/redis/script-batch.ts).
   * A call not sent by its deadline is never sent; one unanswered by then
   * fails (the script may still run: every script is safe to have run).
   */
  private run(script: keyof typeof scripts, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    return this.scriptCalls.run(scripts[script], keys, args, Date.now() + this.timeoutMs, this.lateErrors[script]);
  }

  async put(key: string, provider: string, event: string, now: number): Promise<'stored' | 'duplicate'> {
    const partition = this.partitionOf(key);
    const keys = [partition.entry(key), partition.stream(provider), partition.state('pending'), partition.history(key)];
    const stored = await this.run('put', keys, [key, provider, event, now]);
    return stored === 1 ? 'stored' : 'duplicate';
  }

  /** Without `sweep`, only new messages are read: due retries (promote) and run-out leases (reclaim) wait for a sweep. */
  async lease(providers: readonly string[], limit: number, now: number, leaseMs: number, sweep = true): Promise<LeasedEntry[]> {
    const first = this.firstPartition;
    this.firstPartition = (first + 1) % this.partitions.length;
    const leased: LeasedEntry[] = [];
    try {
      for (let i = 0; i < this.partitions.length && leased.length < limit; i++) {
        const partition = this.partitions[(first + i) % this.partitions.length];
        if (sweep) await this.run('promote', [partition.state('retry'), partition.base], [now, PROMOTE_BATCH]);
        for (const provider of providers) {
          if (leased.length >= limit) break;
          await this.ensureGroup(partition, provider);
          // First what crashed consumers left behind, then new messages.
          if (sweep) leased.push(...(await this.start(partition, provider, await this.reclaim(partition, provider, limit - leased.length, leaseMs), now)));
          if (leased.length >= limit) break;
          leased.push(...(await this.start(partition, provider, await this.read(partition, provider, limit - leased.length), now)));
        }
      }
    } catch (error) {
      // Redis restarted without its data: the groups are gone and are made again.
      if (isReplyError(error, 'NOGROUP')) this.groups.clear();
      throw error;
    }
    return leased;
  }

  /** `groups` and `reclaimCursors` are by stream: one per provider per partition. */
  private async ensureGroup(partition: RedisInboxPartition, provider: string): Promise<void> {
    const stream = partition.stream(provider);
    if (this.groups.has(stream)) return;
    await this.run('ensureGroup', [stream], [GROUP]);
    this.groups.add(stream);
  }

  private async reclaim(partition: RedisInboxPartition, provider: string, count: number, leaseMs: number): Promise<StreamMessage[]> {
    const stream = partition.stream(provider);
    const cursor = this.reclaimCursors.get(stream) ?? '0-0';
    const reply = (await this.run('reclaim', [stream], [GROUP, this.consumer, Math.ceil(leaseMs), cursor, count])) as [string, unknown[]];
    this.reclaimCursors.set(stream, reply[0]);
    return reply[1].filter(isMessage);
  }

  private async read(partition: RedisInboxPartition, provider: string, count: number): Promise<StreamMessage[]> {
    const reply = (await this.run('read', [partition.stream(provider)], [GROUP, this.consumer, count])) as Array<[string, unknown[]]> | null;
    return (reply?.[0]?.[1] ?? []).filter(isMessage);
  }

  /**
   * Starts the attempts of these messages, in their order. All at once, not
   * one after the other: on a Redis that fsyncs every write (appendfsync
   * always) each round trip is a disk flush, and calls sent together share one.
   */
  private async start(partition: RedisInboxPartition, provider: string, messages: StreamMessage[], now: number): Promise<LeasedEntry[]> {
    const started = await Promise.all(messages.map((message) => this.startOne(partition, provider, message, now)));
    return started.filter((entry): entry is LeasedEntry => entry !== undefined);
  }

  private async startOne(partition: RedisInboxPartition, provider: string, [id, fields]: StreamMessage, now: number): Promise<LeasedEntry | undefined> {
    const key = fields[fields.indexOf('key') + 1];
    // A token of this lease's own: the message id alone would still match after this consumer reclaimed its own expired message.
    const token = randomUUID();
    const started = (await this.run('start', [partition.entry(key), partition.stream(provider), partition.history(key)], [GROUP, id, token, now])) as [number, string, string] | null;
    if (started === null) return undefined;
    // The partition rides in the lease: the outcome is written where the entry was read.
    return { key, provider, event: started[1], attempt: Number(started[0]), budgetFrom: Number(started[2]), lease: `${partition.index} ${id} ${token}` };
  }

  /** The partition a leased entry was read from, and ARGV group, message id, consumer, token: what HELD checks. */
  private held(entry: LeasedEntry): { partition: RedisInboxPartition; args: string[] } {
    const [partition, id, token] = entry.lease.split(' ');
    return { partition: this.partitions[Number(partition)] ?? this.partitionOf(entry.key), args: [GROUP, id, this.consumer, token] };
  }

  async renew(entry: LeasedEntry): Promise<boolean> {
    const { partition, args } = this.held(entry);
    // The lease is the message's idle time in Redis, not a time of ours.
    return (await this.run('renew', [partition.entry(entry.key), partition.stream(entry.provider)], args)) === 1;
  }

  async complete(entry: LeasedEntry, now: number): Promise<boolean> {
    const { partition, args } = this.held(entry);
    const keys = [partition.entry(entry.key), partition.stream(entry.provider), partition.state('pending'), partition.state('done'), partition.history(entry.key)];
    return (await this.run('complete', keys, [...args, entry.key, now])) === 1;
  }

  async completeLate(entry: LeasedEntry, now: number): Promise<boolean> {
    const { partition, args } = this.held(entry);
    const keys = [
      partition.entry(entry.key),
      partition.stream(entry.provider),
      partition.state('retry'),
      partition.state('pending'),
      partition.state('dead'),
      partition.state('done'),
      partition.history(entry.key),
    ];
    return (await this.run('completeLate', keys, [GROUP, entry.key, now, args[3]])) === 1;
  }

  async retry(entry: LeasedEntry, nextAttemptAt: number, error: string, now: number): Promise<boolean> {
    const { partition, args } = this.held(entry);
    const keys = [partition.entry(entry.key), partition.stream(entry.provider), partition.state('retry'), partition.history(entry.key)];
    return (await this.run('retry', keys, [...args, entry.key, nextAttemptAt, error, now])) === 1;
  }

  async bury(entry: LeasedEntry, now: number, error: string): Promise<boolean> {
    const { partition, args } = this.held(entry);
    const keys = [partition.entry(entry.key), partition.stream(entry.provider), partition.state('pending'), partition.state('dead'), partition.history(entry.key)];
    return (await this.run('bury', keys, [...args, entry.key, now, error])) === 1;
  }

  async prune(before: number): Promise<void> {
    for (const partition of this.partitions) await this.deleteFinished(partition, 'done', `(${before}`);
    // Each instance reads as a consumer of its own name; those of stopped instances would pile up.
    for (const stream of this.groups) await this.run('forgetIdleConsumers', [stream], [GROUP, this.consumer, FORGET_CONSUMER_MS]);
  }

  /** Oldest stored first, like SqliteInbox: the done and dead indexes are by finish time, so each listed index is read whole and sorted. */
  async list(options: InboxListOptions): Promise<InboxEntry[]> {
    const limit = options.limit ?? LIST_LIMIT;
    const candidates: Array<{ key: string; storedAt: number }> = [];
    // Every partition's entries, merged: the oldest first across all of them.
    for (const partition of this.partitions) {
      for (const state of listedStates(options)) await this.listCandidates(partition, state, options, candidates);
    }
    candidates.sort((a, b) => a.storedAt - b.storedAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const found: InboxEntry[] = [];
    for (const { key } of candidates.slice(0, limit)) {
      const entry = await this.get(key);
      if (entry !== undefined) found.push(entry);
    }
    return found;
  }

  /** The entries of one partition's state index (read LIST_PAGE keys at a time) that `list` may show. */
  private async listCandidates(partition: RedisInboxPartition, state: InboxState, options: InboxListOptions, candidates: Array<{ key: string; storedAt: number }>): Promise<void> {
    for (let start = 0; ; start += LIST_PAGE) {
      const keys = await this.bounded('list', () => this.client.zrange(partition.state(state), start, start + LIST_PAGE - 1));
      if (keys.length === 0) return;
      const facts = (await this.run('listFacts', keys.map((key) => partition.entry(key)), [])) as Array<[string | null, string | null]>;
      keys.forEach((key, i) => {
        const [provider, storedAt] = facts[i];
        if (provider === null || (options.provider !== undefined && provider !== options.provider)) return;
        candidates.push({ key, storedAt: Number(storedAt) });
      });
      if (keys.length < LIST_PAGE) return;
    }
  }

  async get(key: string): Promise<InboxEntry | undefined> {
    const hash = await this.bounded('get', () => this.client.hgetall(this.partitionOf(key).entry(key)));
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

  async history(key: string): Promise<InboxHistoryRecord[]> {
    const records = await this.bounded('history', () => this.client.lrange(this.partitionOf(key).history(key), 0, -1));
    return records.map((raw) => toHistoryRecord(fromRedisRecord(JSON.parse(raw) as RedisHistoryRecord)));
  }

  /** Walks each state's index 500 keys at a time, reading only the providers (one pipeline per page). */
  counts(): Promise<InboxCount[]> {
    return this.bounded('counts', () => this.countAll());
  }

  private async countAll(): Promise<InboxCount[]> {
    const counts = new Map<string, InboxCount>();
    for (const partition of this.partitions) await this.countPartition(partition, counts);
    return sortCounts([...counts.values()]);
  }

  private async countPartition(partition: RedisInboxPartition, counts: Map<string, InboxCount>): Promise<void> {
    for (const state of ['pending', 'dead', 'done'] as const) {
      for (let start = 0; ; start += 500) {
        const keys = await this.client.zrange(partition.state(state), start, start + 499);
        const pipeline = this.client.pipeline();
        for (const key of keys) pipeline.hmget(partition.entry(key), 'provider', 'state');
        for (const [error, reply] of (await pipeline.exec()) ?? []) {
          if (error) throw error;
          const [provider, stored] = reply as [string | null, string | null];
          // Deleted or moved on since the index was read: counted where it is now, or not at all.
          if (provider === null || stored !== state) continue;
          const id = `${provider}\n${state}`;
          const count = counts.get(id) ?? { provider, state, count: 0 };
          count.count++;
          counts.set(id, count);
        }
        if (keys.length < 500) break;
      }
    }
  }

  async replay(keys: readonly string[] | 'dead', now: number): Promise<string[]> {
    const candidates: Array<{ key: string; partition: RedisInboxPartition }> = [];
    if (keys === 'dead') {
      for (const partition of this.partitions) {
        const dead = await this.bounded('replay', () => this.client.zrange(partition.state('dead'), 0, -1));
        candidates.push(...dead.map((key) => ({ key, partition })));
      }
    } else {
      candidates.push(...keys.map((key) => ({ key, partition: this.partitionOf(key) })));
    }
    const replayed: string[] = [];
    for (const { key, partition } of candidates) {
      const indexes = [partition.entry(key), partition.state('retry'), partition.state('pending'), partition.state('dead'), partition.base, partition.history(key)];
      if ((await this.run('replay', indexes, [key, now])) === 1) replayed.push(key);
    }
    return replayed;
  }

  async purge(options: InboxPurgeOptions): Promise<number> {
    const before = options.finishedBefore === undefined ? '+inf' : `(${options.finishedBefore.getTime()}`;
    let deleted = 0;
    for (const partition of this.partitions) deleted += await this.deleteFinished(partition, options.state ?? 'done', before);
    return deleted;
  }

  /** Deletes the entries of a partition's done or dead index finished by `max` (a ZRANGEBYSCORE bound), 500 per script run; returns how many. */
  private async deleteFinished(partition: RedisInboxPartition, state: 'done' | 'dead', max: string): Promise<number> {
    let deleted = 0;
    for (;;) {
      const batch = Number(await this.run('purge', [partition.state(state), partition.base], [max, 500]));
      deleted += batch;
      if (batch < 500) return deleted;
    }
  }

  async close(): Promise<void> {
    if (this.owned) await closeRedisClient(this.client);
  }
}

/** Keys read per round trip when listing. */
const LIST_PAGE = 500;

/** XAUTOCLAIM lists a message deleted meanwhile as nil: not a message. */
function isMessage(message: unknown): message is StreamMessage {
  return Array.isArray(message) && typeof message[0] === 'string' && Array.isArray(message[1]);
}

/** A history record as the scripts write it (redis-scripts.ts): times as sent, in ms. */
interface RedisHistoryRecord {
  a: number;
  o: StoredHistoryRecord['outcome'];
  s: string;
  f?: string;
  e?: string;
}

function fromRedisRecord(record: RedisHistoryRecord): StoredHistoryRecord {
  return { attempt: Number(record.a), outcome: record.o, startedAt: Number(record.s), finishedAt: record.f === undefined ? undefined : Number(record.f), error: record.e };
}
