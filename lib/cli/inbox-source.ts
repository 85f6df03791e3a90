import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type Redis from 'ioredis';
import type { DurableInbox } from '../inbox/durable-inbox';
import { RedisInbox } from '../inbox/redis-inbox';
import { SqliteInbox } from '../inbox/sqlite-inbox';
import { createRedisClient } from '../redis/client';
import { withPostgresInbox, withPostgresSourceOptions, wantsPostgres, type PostgresSourceOptions } from './postgres-inbox-source';

export interface SourceOptions extends PostgresSourceOptions {
  db?: string;
  redis?: string;
  prefix?: string;
}

/** --db <path> | --redis <url> [--prefix]: the inbox an app writes to. */
export function withSourceOptions(command: Command): Command {
  withPostgresSourceOptions(command);
  return command
    .option('--db <path>', 'the SqliteInbox database file')
    .option('--redis <url>', 'the RedisInbox server, e.g. redis://127.0.0.1:6379')
    .option('--prefix <prefix>', "the RedisInbox key prefix (default 'epw:inbox')");
}

/**
 * Opens the inbox only to read and change entries: no consumer is
 * registered, so it delivers nothing itself; a running app's worker picks up
 * what `replay` made due at its next poll.
 */
export async function withInbox<T>(command: Command, options: SourceOptions, use: (inbox: DurableInbox) => Promise<T>): Promise<T> {
  if (wantsPostgres(options)) return withPostgresInbox(command, options, use);
  if ((options.db === undefined) === (options.redis === undefined)) {
    command.error('error: give the inbox as --db <path> or --redis <url> (one of them)', { exitCode: 2, code: 'epw.usage' });
  }
  if (options.prefix !== undefined && options.redis === undefined) {
    command.error('error: --prefix only applies to --redis', { exitCode: 2, code: 'epw.usage' });
  }
  let inbox: DurableInbox;
  let client: Redis | undefined;
  if (options.db !== undefined) {
    // Opening would create an empty database: a typo must not look like an empty inbox.
    if (!existsSync(options.db)) throw new Error(`no inbox database at ${options.db}`);
    inbox = new SqliteInbox({ path: options.db });
  } else {
    client = connectOnce(options.redis!);
    inbox = new RedisInbox({ client, prefix: options.prefix });
  }
  try {
    return await use(inbox);
  } finally {
    await inbox.close();
    client?.disconnect();
  }
}

/** A command-line run gives up on an unreachable server instead of retrying forever. */
function connectOnce(url: string): Redis {
  return createRedisClient(url, { maxRetriesPerRequest: 0, connectTimeout: 3000, retryStrategy: () => null, lazyConnect: false });
}
