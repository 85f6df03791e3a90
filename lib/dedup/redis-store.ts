import type { Redis } from 'ioredis';
import { positiveMs } from '../core/durations';
import { asRedis, createRedisClient } from '../redis/client';
import type { IoredisClient } from '../redis/ioredis-client';
import { requireUrlOrClient } from '../redis/url-or-client';
import { settleWithin } from '../core/settle-within';
import type { LuaScript } from '../redis/lua-script';
import { ScriptBatch } from '../redis/script-batch';
import { CLAIM, COMPLETE, LOCK_PREFIX, RELEASE, RENEW } from './redis-scripts';
import type { ClaimState, DedupStore } from './store';

export interface RedisDedupStoreOptions {
  /** `redis://[:password@]host[:port][/db]` or `rediss://…`: the store creates its own client, and `close()` closes it. */
  url?: string;
  /** An ioredis client you own and close yourself. Give either `url` or `client`. */
  client?: IoredisClient;
  /** Prepended to every key, to share a Redis with other data. Default `'epw:dedup:'`. */
  keyPrefix?: string;
  /**
   * The most any call waits for Redis, connecting included. After it the
   * call fails, and the middleware answers 503 so the provider retries.
   * Default 1000.
   */
  timeoutMs?: number;
}

const CLAIM_STATES: ReadonlySet<unknown> = new Set<ClaimState>(['claimed', 'in-flight', 'done']);

/**
 * Dedup shared by every instance of the app, on Redis (client: ioredis).
 * One key per notification; each call a Lua script so that claiming, and
 * renewing or releasing only while the claim is still ours, is atomic. The
 * calls of one event-loop turn (renewals included) share a round trip
 * (lib/redis/script-batch.ts).
 *
 * Every call is bounded by `timeoutMs`, and never waits for a connection
 * that is known to be down: with Redis unreachable the provider gets a quick
 * 503 and retries, and calls succeed again as soon as the client reconnects.
 */
export class RedisDedupStore implements DedupStore {
  private readonly client: Redis;
  private readonly batch: ScriptBatch;
  private readonly ownsClient: boolean;
  private readonly keyPrefix: string;
  private readonly timeoutMs: number;
  private connecting: Promise<void> | undefined;
  private closed = false;

  constructor(options: RedisDedupStoreOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('RedisDedupStore: options { url } or { client } are required.');
    const { url, client, keyPrefix = 'epw:dedup:' } = options;
    requireUrlOrClient('RedisDedupStore', options);
    if (url !== undefined && (typeof url !== 'string' || url === '')) throw new TypeError('RedisDedupStore: url must be a redis:// or rediss:// URL.');
    if (client !== undefined && (client === null || typeof client.evalsha !== 'function')) {
      throw new TypeError('RedisDedupStore: client must be an ioredis client.');
    }
    if (typeof keyPrefix !== 'string') throw new TypeError('RedisDedupStore: keyPrefix must be a string.');
    this.keyPrefix = keyPrefix;
    this.timeoutMs = positiveMs('RedisDedupStore', 'timeoutMs', options.timeoutMs, 1000);
    this.ownsClient = client === undefined;
    this.client = client === undefined ? connect(url!) : asRedis(client);
    this.batch = new ScriptBatch(this.client, late);
  }

  async claim(key: string, lockTtlMs: number, token: string): Promise<ClaimState> {
    const state = await this.run(CLAIM, key, [LOCK_PREFIX + token, wholeMs(lockTtlMs)]);
    if (!CLAIM_STATES.has(state)) throw new Error('RedisDedupStore: unexpected reply to claim.');
    return state as ClaimState;
  }

  async renew(key: string, lockTtlMs: number, token: string): Promise<boolean> {
    return (await this.run(RENEW, key, [LOCK_PREFIX + token, wholeMs(lockTtlMs)])) === 1;
  }

  async complete(key: string, doneTtlMs: number, _token: string): Promise<void> {
    await this.run(COMPLETE, key, [wholeMs(doneTtlMs)]);
  }

  async release(key: string, token: string): Promise<void> {
    await this.run(RELEASE, key, [LOCK_PREFIX + token]);
  }

  /** Closes the client the store created from `url`; a client you passed in is left to you. */
  async close(): Promise<void> {
    if (!this.ownsClient || this.closed) return;
    this.closed = true;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  private run(script: LuaScript, key: string, args: (string | number)[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('RedisDedupStore: the store was closed.'));
    const deadline = Date.now() + this.timeoutMs;
    // The batch fails the call at its deadline, and does not send it once that has passed.
    const send = () => this.batch.run(script, [this.keyPrefix + key], args, deadline);
    if (this.client.status === 'ready') return send();
    return settleWithin(this.connected().then(send), deadline - Date.now(), late);
  }

  /** For a client not ready: resolves once it is; rejects at once when no connection attempt is under way. */
  private connected(): Promise<void> {
    const { status } = this.client;
    if (status === 'wait') this.client.connect().catch(() => {}); // a lazyConnect client: its first use connects it
    else if (status !== 'connecting' && status !== 'connect') {
      // 'reconnecting' / 'close' / 'end': Redis was just found down. Waiting would only delay the 503.
      return Promise.reject(new Error(`RedisDedupStore: Redis is not connected (${status}).`));
    }
    this.connecting ??= untilReady(this.client).finally(() => (this.connecting = undefined));
    return this.connecting;
  }
}

/**
 * The store's own client. Nothing waits in ioredis' offline queue and nothing
 * is resent after a reconnect: a request that gave up (and got its 503) must
 * not have its claim run later. Reconnection never stops, so service resumes
 * without a restart.
 */
function connect(url: string): Redis {
  return createRedisClient(url, {
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    // close() on a dead connection: nothing to flush, so do not hold the process open for ioredis' default 2 s.
    disconnectTimeout: 100,
  });
}

function untilReady(client: Redis): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      client.off('ready', onReady);
      client.off('close', onClose);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onReady = () => settle();
    const onClose = () => settle(new Error('RedisDedupStore: could not connect to Redis.'));
    client.on('ready', onReady);
    client.on('close', onClose);
  });
}

function late(): Error {
  return new Error('RedisDedupStore: Redis did not answer in time.');
}

/** PX takes whole milliseconds; round up so a lock never lasts less than asked. */
function wholeMs(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}
