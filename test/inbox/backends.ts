import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresInbox, RedisInbox, SqliteInbox, type InboxOptions } from '../../lib';
import { startPostgresServer, type PostgresServer } from '../helpers/postgres-server';
import { startRedisServer, type RedisServer } from '../helpers/redis-server';

export type AnyInbox = SqliteInbox | RedisInbox | PostgresInbox;

/** Fast retries and polls, so tests never wait for real backoff. */
export const FAST: InboxOptions = { pollIntervalMs: 10, retry: { baseDelayMs: 5, maxDelayMs: 20 } };

/**
 * One place (a SQLite file, a Redis prefix) per call of `fresh()`; every inbox
 * opened from it shares the entries, as the processes of one app would.
 * Opened inboxes are closed by `closeAll()`.
 */
export interface Backend {
  name: string;
  fresh(): (options?: InboxOptions) => AnyInbox;
  closeAll(): Promise<void>;
  /** Where the CLI finds it: ['--db', path] or ['--redis', url, '--prefix', p]. */
  cliArgs(open: (options?: InboxOptions) => AnyInbox): string[];
}

export function sqliteBackend(): Backend & { dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'epw-inbox-'));
  const opened: AnyInbox[] = [];
  const places = new WeakMap<object, string[]>();
  let n = 0;
  return {
    name: 'SqliteInbox',
    fresh() {
      const path = join(dir, `inbox-${n++}.db`);
      const open = (options: InboxOptions = {}) => {
        const inbox = new SqliteInbox({ ...FAST, ...options, path });
        opened.push(inbox);
        return inbox;
      };
      places.set(open, ['--db', path]);
      return open;
    },
    closeAll: async () => void (await Promise.all(opened.splice(0).map((inbox) => inbox.close()))),
    cliArgs: (open) => places.get(open)!,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function redisBackend(): Backend & { start(): Promise<RedisServer>; server(): RedisServer } {
  let server: RedisServer | undefined;
  const opened: AnyInbox[] = [];
  const places = new WeakMap<object, string[]>();
  let n = 0;
  return {
    name: 'RedisInbox',
    async start() {
      server = await startRedisServer();
      return server;
    },
    server: () => server!,
    fresh() {
      const prefix = `t${n++}`;
      const open = (options: InboxOptions = {}) => {
        const inbox = new RedisInbox({ ...FAST, ...options, url: server!.url, prefix });
        opened.push(inbox);
        return inbox;
      };
      places.set(open, ['--redis', server!.url, '--prefix', prefix]);
      return open;
    },
    closeAll: async () => void (await Promise.all(opened.splice(0).map((inbox) => inbox.close()))),
    cliArgs: (open) => places.get(open)!,
  };
}

export function postgresBackend(): Backend & { start(): Promise<PostgresServer>; server(): PostgresServer } {
  let server: PostgresServer | undefined;
  const opened: AnyInbox[] = [];
  const places = new WeakMap<object, string[]>();
  let n = 0;
  return {
    name: 'PostgresInbox',
    async start() {
      server = await startPostgresServer();
      return server;
    },
    server: () => server!,
    fresh() {
      const table = `inbox_${n++}`;
      const open = (options: InboxOptions = {}) => {
        const inbox = new PostgresInbox({ ...FAST, ...options, connectionString: server!.url, table });
        opened.push(inbox);
        return inbox;
      };
      places.set(open, ['--postgres', server!.url, '--table', table]);
      return open;
    },
    closeAll: async () => void (await Promise.all(opened.splice(0).map((inbox) => inbox.close()))),
    cliArgs: (open) => places.get(open)!,
  };
}
