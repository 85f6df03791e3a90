import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { isReplyError } from './client';

/**
 * A Lua script run with EVALSHA (one round trip, the source not resent), and
 * with EVAL once where the server has not cached it yet: a fresh or restarted
 * Redis, or after SCRIPT FLUSH. Works on any ioredis client, the merchant's
 * included, without defineCommand on it.
 */
export class LuaScript {
  readonly sha1: string;

  constructor(readonly source: string) {
    this.sha1 = createHash('sha1').update(source).digest('hex');
  }

  async run(client: Redis, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await client.evalsha(this.sha1, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isReplyError(error, 'NOSCRIPT')) throw error;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
