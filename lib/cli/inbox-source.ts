import { InvalidArgumentError, type Command } from 'commander';
import type Redis from 'ioredis';
import type { DurableInbox } from '../inbox/durable-inbox';
import { RedisInbox } from '../inbox/redis-inbox';
import { SqliteInbox } from '../inbox/sqlite-inbox';
import { createRedisClient } from '../redis/client';
import { MAX_PARTITIONS } from '../inbox/redis-partitions';
import { integerFrom, nonEmpty } from './parse';
import { assertInboxFile } from './sqlite-inbox-file';
import { withPostgresInbox, withPostgresSourceOptions, wantsPostgres, type PostgresSourceOptions } from './postgres-inbox-source';

export interface SourceOptions extends PostgresSourceOptions {
  db?: string;
  redis?: string;
  prefix?: string;
  partitions?: number;
}

/** --db <path> | --redis <url> [--prefix] [--partitions]: the inbox an app writes to. */
export function withSourceOptions(command: Command): Command {
  withPostgresSourceOptions(command);
  return command
    .option('--db <path>', 'the SqliteInbox database file', nonEmpty)
    .option('--redis <url>', 'the RedisInbox server, e.g. redis://127.0.0.1:6379', redisUrl)
    .option('--prefix <prefix>', "the RedisInbox key prefix (default 'epw:inbox')", redisPrefix)
    .option('--partitions <n>', "the RedisInbox's partitions, as the app sets them (default 1)", integerFrom(1, MAX_PARTITIONS));
}

/**
 * Opens the inbox only to read and change entries: no consumer is
 * registered, so it delivers nothing itself; a running app's worker picks up
 * what `replay` made due at its next poll. Whatever was opened is closed on
 * every path, so that no connection keeps the process alive after an error.
 */
export async function withInbox<T>(command: Command, options: SourceOptions, use: (inbox: DurableInbox) => Promise<T>): Promise<T> {
  if (wantsPostgres(options)) return withPostgresInbox(command, options, use);
  if ((options.db === undefined) === (options.redis === undefined)) {
    command.error('error: give the inbox as --db <path> or --redis <url> (one of them)', { exitCode: 2, code: 'epw.usage' });
  }
  for (const option of ['prefix', 'partitions'] as const) {
    if (options[option] !== undefined && options.redis === undefined) command.error(`error: --${option} only applies to --redis`, { exitCode: 2, code: 'epw.usage' });
  }
  const { inbox, client } = openInbox(options);
  try {
    return await use(inbox);
  } finally {
    await inbox.close();
    client?.disconnect();
  }
}

function openInbox(options: SourceOptions): { inbox: DurableInbox; client?: Redis } {
  if (options.db !== undefined) {
    assertInboxFile(options.db);
    return { inbox: new SqliteInbox({ path: options.db }) };
  }
  const client = connectOnce(options.redis!);
  try {
    return { inbox: new RedisInbox({ client, prefix: options.prefix, partitions: options.partitions }), client };
  } catch (error) {
    client.disconnect();
    throw error;
  }
}

/**
 * A command-line run gives up on an unreachable or stalled server instead of
 * waiting forever, and connects only at its first command, once every option
 * was accepted.
 */
function connectOnce(url: string): Redis {
  return createRedisClient(url, { maxRetriesPerRequest: 0, connectTimeout: 3000, commandTimeout: 2000, retryStrategy: () => null, lazyConnect: true });
}

/** redis:// or rediss://, a host, and at most a database number: anything else would quietly mean localhost or database 0. */
function redisUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '' || !/^(\/\d*)?$/.test(url.pathname) || url.search !== '') {
    throw new InvalidArgumentError('must be a redis:// or rediss:// URL with a host, e.g. redis://127.0.0.1:6379 or redis://127.0.0.1:6379/2');
  }
  return value;
}

/** The inbox keeps its keys in one hash slot as `{prefix}:…`: braces in the prefix would break that. */
function redisPrefix(value: string): string {
  if (value === '' || /[{}]/.test(value)) throw new InvalidArgumentError('must be a non-empty prefix without { or }');
  return value;
}
