import type { Redis, RedisOptions } from 'ioredis';

/**
 * A client for a `url` the library was given. ioredis is loaded here, on
 * first use, so apps without a Redis backend never load it. Failures reach
 * callers as rejected commands; the no-op 'error' listener keeps ioredis from
 * printing each one.
 */
export function createRedisClient(url: string, options: RedisOptions): Redis {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Redis: RedisClient } = require('ioredis') as typeof import('ioredis');
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
