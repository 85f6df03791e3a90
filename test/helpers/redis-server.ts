import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real redis-server on a free loopback port, started by the test itself.
 * Where redis-server is not installed the Redis suites are skipped with a
 * message saying so, except in CI (CI=true), where that is a failure.
 */
const REDIS_SERVER_PATH = findRedisServer();

export function describeWithRedis(name: string, body: () => void): void {
  if (REDIS_SERVER_PATH !== undefined) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      test('redis-server is installed (required in CI)', () => {
        throw new Error('redis-server is not on PATH; .ci/run installs it with apt-get install -y redis-server.');
      });
    });
    return;
  }
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED "${name}": redis-server is not installed (apt-get install -y redis-server). CI runs these tests.`);
  describe.skip(name, body);
}

export interface RedisServer {
  url: string;
  /** Stop the server (SIGKILL when `crash` is true: no shutdown save). */
  stop(crash?: boolean): Promise<void>;
  /** Start it again on the same port (after stop). */
  restart(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  if (REDIS_SERVER_PATH === undefined) throw new Error('redis-server is not installed');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'epw-redis-'));
  let child: ChildProcess | undefined;

  const launch = async () => {
    child = spawn(REDIS_SERVER_PATH!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: 'ignore',
    });
    await waitForPort(port, 5000);
  };
  const stop = async (crash = false) => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill(crash ? 'SIGKILL' : 'SIGTERM');
    });
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop(crash) {
      await stop(crash);
      if (!crash) rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await stop(true);
      await launch();
    },
  };
}

function findRedisServer(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
