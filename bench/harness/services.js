'use strict';
// Backing services some variants need (a variant lists them in `services`),
// started once per run on free loopback ports and passed to the variant's
// server as `options.services.<name>`. Mirrors test/helpers/redis-server.ts.
const { spawn, spawnSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const net = require('node:net');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { startPostgres } = require('./postgres-service');

/**
 * A redis-server with `persistence` arguments: `redis` keeps nothing on disk (as the dedup
 * variants need), `redis-aof` appends every write to its AOF and fsyncs it before answering
 * (appendfsync always: what a durable inbox needs, as SqliteInbox's synchronous=FULL).
 */
function redisStarter(persistence) {
  return async () => {
    const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
    const bin = found.stdout.trim();
    if (found.status !== 0 || bin === '') throw new Error('redis-server is not installed (apt-get install -y redis-server)');
    const port = await freePort();
    const dir = mkdtempSync(path.join(tmpdir(), 'epw-bench-redis-'));
    const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--dir', dir], { stdio: 'ignore' });
    await waitForPort(port, 5000);
    return {
      value: { url: `redis://127.0.0.1:${port}` },
      stop: () =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => {
            rmSync(dir, { recursive: true, force: true });
            resolve();
          });
          child.kill('SIGTERM');
        }),
    };
  };
}

/** What each redis service keeps on disk, said in the bench notes. */
const REDIS_PERSISTENCE = {
  redis: ['--appendonly', 'no'],
  'redis-aof': ['--appendonly', 'yes', '--appendfsync', 'always'],
};

const STARTERS = {
  redis: redisStarter(REDIS_PERSISTENCE.redis),
  'redis-aof': redisStarter(REDIS_PERSISTENCE['redis-aof']),
  postgres: async () => startPostgres(await freePort()),
};

/**
 * Starts every service the given variants need. A service that cannot start
 * (redis-server not installed) is reported in `unavailable` with the reason,
 * so that only the variants needing it are skipped.
 */
async function startServices(variants) {
  const names = [...new Set(variants.flatMap((variant) => variant.services ?? []))];
  const running = [];
  const values = {};
  const unavailable = {};
  for (const name of names) {
    if (!STARTERS[name]) throw new Error(`unknown bench service "${name}" (known: ${Object.keys(STARTERS).join(', ')})`);
    try {
      const service = await STARTERS[name]();
      running.push(service);
      values[name] = service.value;
    } catch (error) {
      unavailable[name] = error.message;
    }
  }
  return { values, unavailable, stop: () => Promise.all(running.map((service) => service.stop())) };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
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

module.exports = { REDIS_PERSISTENCE, startServices };
