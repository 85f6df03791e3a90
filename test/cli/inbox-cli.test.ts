/**
 * `express-payment-webhooks inbox …`, run as the built binary (npm test
 * builds first), against a SQLite file and a Redis prefix that hold pending,
 * dead and done entries.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Redis from 'ioredis';
import { RedisInboxStorage } from '../../lib/inbox/redis-inbox';
import { SqliteInboxStorage } from '../../lib/inbox/sqlite-inbox';
import type { InboxStorage } from '../../lib/inbox/storage';
import { describeWithRedis, startRedisServer, type RedisServer } from '../helpers/redis-server';
import { runCli } from './run-cli';

const dir = mkdtempSync(join(tmpdir(), 'epw-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every run is bounded: one that has not ended after 10 s is killed and has code null. */
const cli = (...args: string[]) => runCli(args, { timeoutMs: 10_000 });

const event = (id: string) =>
  JSON.stringify({ provider: 'pay247', id, type: 'payout.succeeded', data: { amount: '100.0000' }, signedFields: ['amount'], receivedAt: new Date().toISOString() });

/** pay247:pending (never tried), pay247:dead (gave up), pay247:done (handled). */
async function fill(storage: InboxStorage): Promise<void> {
  const now = Date.now();
  await storage.put('pay247:dead', 'pay247', event('dead'), now - 3);
  await storage.put('pay247:done', 'pay247', event('done'), now - 2);
  const leased = await storage.lease(['pay247'], 2, now, 10_000);
  for (const entry of leased) {
    if (entry.key === 'pay247:dead') await storage.bury(entry, now, 'HANDLER_FAILED: onEvent threw or rejected; the provider will retry.');
    else await storage.complete(entry, now);
  }
  await storage.put('pay247:pending', 'pay247', event('pending'), now - 1);
}

describe('express-payment-webhooks CLI: usage', () => {
  test('--help works at every level, exit 0', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Usage: express-payment-webhooks/);
    expect(top.stdout).toMatch(/inbox/);
    const inbox = await cli('inbox', '--help');
    expect(inbox.code).toBe(0);
    for (const sub of ['list', 'show', 'replay', 'purge']) expect(inbox.stdout).toContain(sub);
    const list = await cli('inbox', 'list', '--help');
    expect(list.stdout).toMatch(/--db <path>[\s\S]*--redis <url>/);
  });

  test.each([
    ['no subcommand', ['inbox']],
    ['an unknown command', ['inbox', 'frobnicate', '--db', 'x']],
    ['no inbox given', ['inbox', 'list']],
    ['both --db and --redis', ['inbox', 'list', '--db', 'x', '--redis', 'redis://127.0.0.1:1']],
    ['an unknown option', ['inbox', 'list', '--db', 'x', '--colour']],
    ['a state that does not exist', ['inbox', 'list', '--db', 'x', '--state', 'lost']],
    ['replay without keys or --dead', ['inbox', 'replay', '--db', 'x']],
    ['an age without a unit', ['inbox', 'purge', '--db', 'x', '--older-than', '7']],
    ['show without a key', ['inbox', 'show', '--db', 'x']],
  ])('bad usage (%s): exit code 2 and a message', async (_name, args) => {
    const run = await cli(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toBe('');
  });

  test.each([['list'], ['show', 'pay247:k'], ['replay', '--dead'], ['purge']])('a database file that does not exist (%s): exit 1, and no file is created', async (...command) => {
    const missing = join(dir, `typo-${command[0]}.db`);
    const run = await cli('inbox', ...command, '--db', missing);
    expect(run).toMatchObject({ code: 1, stderr: `error: no inbox database at ${missing}\n` });
    expect(existsSync(missing)).toBe(false);
  });
});

describe('express-payment-webhooks CLI: a --db that is not an inbox', () => {
  const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
  let made = 0;
  /** A file in a directory of its own, so that any -wal, -shm or -journal file the CLI made would show. */
  function file(fill: (path: string) => void): string {
    const home = join(dir, `foreign-${made++}`);
    mkdirSync(home);
    const path = join(home, 'app.db');
    fill(path);
    return path;
  }
  const sqlite = (sql: string) => (path: string) => {
    const db = new Database(path);
    db.exec(sql);
    db.close();
  };

  test.each([
    ["another application's database", sqlite("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada');"), 'it has no inbox table'],
    ['a table named inbox of another shape', sqlite("CREATE TABLE inbox (id INTEGER PRIMARY KEY, body TEXT, state TEXT); INSERT INTO inbox (body, state) VALUES ('x', 'done');"), 'its inbox table has no key, provider, event,'],
    ['an empty file', (path: string) => writeFileSync(path, ''), 'it has no inbox table'],
    ['a text file', (path: string) => writeFileSync(path, 'not a database\n'), '(SQLITE_NOTADB)'],
  ])('%s: refused with a message, exit 1, the file unchanged byte for byte', async (_name, fill, reason) => {
    const path = file(fill);
    const before = sha256(path);
    for (const command of [['list'], ['show', 'pay247:k'], ['replay', '--dead'], ['purge', '--dead']]) {
      const run = await cli('inbox', ...command, '--db', path);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`error: ${path} is not an inbox database`);
      expect(run.stderr).toContain(reason);
      expect(run.stdout).toBe('');
    }
    expect(sha256(path)).toBe(before);
    expect(readdirSync(join(path, '..'))).toEqual(['app.db']);
  });

  test('a real inbox in rollback-journal mode is accepted', async () => {
    // close() is answered once the storage's thread has closed the file: switching the journal before that raced its opening.
    const path = file(() => undefined);
    await new SqliteInboxStorage(path).close();
    sqlite('PRAGMA journal_mode = DELETE;')(path);
    const check = new Database(path, { readonly: true });
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    check.close();
    expect(await cli('inbox', 'list', '--db', path)).toMatchObject({ code: 0, stdout: 'no entries\n' });
  });
});

describe('express-payment-webhooks CLI: a stalled Redis', () => {
  // Accepts connections and never answers: a server stopped (SIGSTOP) or wedged.
  let server: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  test.each([['list'], ['purge', '--dead']])('%s: exit 1 with a message within seconds, not a hang', async (...command) => {
    const url = `redis://127.0.0.1:${(server.address() as { port: number }).port}`;
    const run = await cli('inbox', ...command, '--redis', url);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .*(timed out|did not answer .* within)/i);
  });
});

function describeCommands(name: string, open: () => Promise<{ storage: InboxStorage; args: string[] }>): void {
  describe(`express-payment-webhooks inbox with ${name}`, () => {
    let storage: InboxStorage;
    let args: string[];
    beforeEach(async () => {
      ({ storage, args } = await open());
      await fill(storage);
    });
    afterEach(() => storage.close());

    test('list: pending and dead by default, done with --state; --json for scripts', async () => {
      const table = await cli('inbox', 'list', ...args);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^STATE\s+ATTEMPTS\s+STORED/);
      expect(table.stdout).toContain('pay247:dead');
      expect(table.stdout).toContain('pay247:pending');
      expect(table.stdout).not.toContain('pay247:done');
      expect(table.stdout).toContain('HANDLER_FAILED');
      const json = await cli('inbox', 'list', ...args, '--state', 'all', '--json');
      const rows = json.stdout.trim().split('\n').map((line) => JSON.parse(line));
      expect(rows.map((row) => [row.key, row.state, row.attempts])).toEqual([
        ['pay247:dead', 'dead', 1],
        ['pay247:done', 'done', 1],
        ['pay247:pending', 'pending', 0],
      ]);
    });

    test('show: the entry and its event as JSON; an unknown key is exit 1', async () => {
      const shown = await cli('inbox', 'show', 'pay247:dead', ...args);
      expect(shown.code).toBe(0);
      const entry = JSON.parse(shown.stdout);
      expect(entry).toMatchObject({ key: 'pay247:dead', state: 'dead', event: { id: 'dead', data: { amount: '100.0000' } } });
      expect(entry.history).toEqual([
        { type: 'attempt', attempt: 1, outcome: 'failed', startedAt: expect.any(String), finishedAt: expect.any(String), error: 'HANDLER_FAILED: onEvent threw or rejected; the provider will retry.' },
      ]);
      expect((await cli('inbox', 'show', 'pay247:nope', ...args)).code).toBe(1);
    });

    test('replay: dead entries become due now, attempts reset; done ones are refused', async () => {
      const replayed = await cli('inbox', 'replay', '--dead', ...args);
      expect(replayed).toMatchObject({ code: 0, stdout: 'replayed pay247:dead\n' });
      expect(await storage.get('pay247:dead')).toMatchObject({ state: 'pending', attempts: 0 });
      const refused = await cli('inbox', 'replay', 'pay247:done', ...args);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('not replayed pay247:done');
      expect((await storage.get('pay247:done'))?.state).toBe('done');
    });

    test('purge: done entries by default, dead ones only with --dead, pending ones never', async () => {
      expect((await cli('inbox', 'purge', ...args, '--older-than', '1d')).stdout).toBe('purged 0 done entries\n');
      expect((await cli('inbox', 'purge', ...args)).stdout).toBe('purged 1 done entry\n');
      expect(await storage.get('pay247:dead')).toBeDefined();
      expect((await cli('inbox', 'purge', '--dead', ...args)).stdout).toBe('purged 1 dead entry\n');
      expect((await storage.list({ state: 'all' })).map((entry) => entry.key)).toEqual(['pay247:pending']);
    });
  });
}

let files = 0;
describeCommands('--db', async () => {
  const path = join(dir, `cli-${files++}.db`);
  return { storage: new SqliteInboxStorage(path), args: ['--db', path] };
});

describeWithRedis('with a Redis server', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server?.stop());
  let prefixes = 0;
  describeCommands('--redis', async () => {
    const prefix = `cli${prefixes++}`;
    return { storage: new RedisInboxStorage(new Redis(server.url), prefix, true), args: ['--redis', server.url, '--prefix', prefix] };
  });

  test('a prefix the inbox refuses: exit 2 at once, not a hang on the open connection', async () => {
    const run = await cli('inbox', 'list', '--redis', server.url, '--prefix', 'a{b}');
    expect(run).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: .*--prefix/) });
  });

  test('an unreachable server: exit 1 soon, not a hang', async () => {
    const run = await cli('inbox', 'list', '--redis', 'redis://127.0.0.1:1');
    expect(run.code).toBe(1);
  });
});
