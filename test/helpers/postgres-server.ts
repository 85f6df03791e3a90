import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './redis-server';

/**
 * A real PostgreSQL server on a free loopback port, in a temporary directory,
 * started by the test itself (initdb + postgres; a couple of seconds). Where
 * PostgreSQL is not installed the suites are skipped with a message saying
 * so, except in CI (CI=true), where that is a failure.
 *
 * PostgreSQL refuses to run as root: as root, initdb and the server run as
 * the `postgres` system user (Debian's package creates it), in a directory it owns.
 */
const BIN_DIR = findBinDir();

export function describeWithPostgres(name: string, body: () => void): void {
  if (BIN_DIR !== undefined) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      test('PostgreSQL is installed (required in CI)', () => {
        throw new Error('PostgreSQL (initdb, postgres) was not found; .ci/run installs it with apt-get install -y postgresql.');
      });
    });
    return;
  }
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED "${name}": PostgreSQL is not installed (apt-get install -y postgresql). CI runs these tests.`);
  describe.skip(name, body);
}

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust authentication: no password). */
  url: string;
  /** Stop the server (SIGKILL when `crash` is true) and, unless crashed, remove its directory. */
  stop(crash?: boolean): Promise<void>;
}

export async function startPostgresServer(): Promise<PostgresServer> {
  if (BIN_DIR === undefined) throw new Error('PostgreSQL is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'epw-postgres-'));
  // The server process itself runs as that user (spawn's uid/gid, no wrapper), so signals reach it.
  const user = process.getuid?.() === 0 ? { uid: idOf('-u'), gid: idOf('-g') } : {};
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid!);
  const data = join(dir, 'data');
  const initdb = spawnSync(join(BIN_DIR, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C'], {
    ...user,
    encoding: 'utf8',
  });
  if (initdb.status !== 0) throw new Error(`initdb failed: ${initdb.stderr || initdb.error?.message}`);

  const port = await freePort();
  // Durability is not what these tests are about: fsync off keeps them fast on a busy machine.
  const settings = ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  const child: ChildProcess = spawn(join(BIN_DIR, 'postgres'), settings, { ...user, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitForConnections(url, child, 15_000);

  return {
    url,
    async stop(crash = false) {
      if (child.exitCode === null && child.signalCode === null) {
        // SIGINT is PostgreSQL's "fast shutdown": connected clients are cut, nothing waits for them.
        child.kill(crash ? 'SIGKILL' : 'SIGINT');
        await exited;
      }
      if (!crash) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForConnections(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode} before accepting connections`);
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within ${timeoutMs} ms: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await client.end().catch(() => {});
    }
  }
}

function findBinDir(): string | undefined {
  const hasServer = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
  const configured = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const fromConfig = configured.status === 0 ? configured.stdout.trim() : '';
  if (fromConfig !== '' && hasServer(fromConfig)) return fromConfig;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((version) => hasServer(join(root, version, 'bin')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length === 0 ? undefined : join(root, versions[0]!, 'bin');
}

/** The `postgres` system user's uid or gid (`id -u` / `id -g`): Debian's package creates the user. */
function idOf(flag: '-u' | '-g'): number {
  const found = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error('Running as root, and there is no postgres user to run PostgreSQL as (apt-get install -y postgresql creates it).');
  return Number(found.stdout.trim());
}
