import type { Redis, RedisOptions } from 'ioredis';
import { requirePeer } from '../core/peer-dependency';
import type { IoredisClient } from './ioredis-client';

/** A client the merchant gave, with ioredis' full type for the library's own use. */
export function asRedis(client: IoredisClient): Redis {
  return client as unknown as Redis;
}

/**
 * A client for a `url` the library was given. ioredis is loaded here, on
 * first use, so apps without a Redis backend need not install it. Failures reach
 * callers as rejected commands; the no-op 'error' listener keeps ioredis from
 * printing each one.
 */
export function createRedisClient(url: string, options: RedisOptions): Redis {
  const { Redis: RedisClient } = requirePeer<typeof import('ioredis')>('ioredis', "Redis (RedisDedupStore, RedisInbox, the CLI's --redis)");
  const client = new RedisClient(url, options);
  client.on('error', () => undefined);
  return client;
}

/** Closes a client the library created: QUIT when connected (replies flushed), else drop the connection. */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
  } else {
    client.disconnect();
  }
}

/** Whether a command failed with a Redis error reply starting with `prefix` (e.g. 'NOSCRIPT', 'BUSYGROUP'). */
export function isReplyError(error: unknown, prefix: string): boolean {
  return String((error as Error)?.message).startsWith(prefix);
}
