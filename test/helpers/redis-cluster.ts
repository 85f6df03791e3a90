import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './redis-server';

/**
 * A real Redis Cluster of three masters on free loopback ports, made by the
 * test itself (`redis-server --cluster-enabled yes`, then
 * `redis-cli --cluster create`). Each node keeps an append-only file fsynced
 * on every write, so a node killed and restarted comes back with what it
 * acknowledged, as a production node configured for durability would.
 */
export interface RedisClusterNode {
  port: number;
  /** SIGKILL the node: no shutdown, no save. */
  kill(): Promise<void>;
  /** Start it again on the same port, with its own data and cluster config. */
  restart(): Promise<void>;
}

export interface RedisCluster {
  /** `{ host, port }` of every node, for `new Cluster(startupNodes)`. */
  startupNodes: Array<{ host: string; port: number }>;
  nodes: RedisClusterNode[];
  /** Which node serves `key` now (CLUSTER KEYSLOT + CLUSTER SLOTS). */
  nodeFor(key: string): RedisClusterNode;
  /** Until every slot is served again by a node that answers (after a restart). */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const MASTERS = 3;

export function redisClusterAvailable(): boolean {
  return ['redis-server', 'redis-cli'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);
}

export async function startRedisCluster(): Promise<RedisCluster> {
  const root = mkdtempSync(join(tmpdir(), 'epw-redis-cluster-'));
  const ports: number[] = [];
  for (let i = 0; i < MASTERS; i++) ports.push(await freeDistinctPort(ports));
  const children = new Map<number, ChildProcess>();

  const launch = async (port: number) => {
    const dir = join(root, String(port));
    mkdirSync(dir, { recursive: true });
    // prettier-ignore
    const child = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
      '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '1000',
      '--appendonly', 'yes', '--appendfsync', 'always', '--save', '',
      // A cluster whose killed master has no replica must keep serving the other slots.
      '--cluster-require-full-coverage', 'no',
    ], { stdio: 'ignore' });
    children.set(port, child);
    await waitForPort(port, 5000);
  };
  const kill = async (port: number) => {
    const child = children.get(port);
    children.delete(port);
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  };

  await Promise.all(ports.map(launch));
  const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (created.status !== 0) {
    await Promise.all(ports.map(kill));
    throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
  }

  const cluster: RedisCluster = {
    startupNodes: ports.map((port) => ({ host: '127.0.0.1', port })),
    nodes: ports.map((port) => ({ port, kill: () => kill(port), restart: () => launch(port) })),
    nodeFor(key) {
      const alive = ports.find((port) => children.has(port))!;
      const slot = Number(cli(alive, 'CLUSTER', 'KEYSLOT', key).trim());
      const owner = ownerOf(alive, slot);
      return cluster.nodes.find((node) => node.port === owner)!;
    },
    async waitUntilHealthy(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const healthy = ports.every((port) => children.has(port) && /cluster_state:ok/.test(cli(port, 'CLUSTER', 'INFO')));
        if (healthy) return;
        if (Date.now() > deadline) throw new Error('the Redis Cluster did not become healthy in time');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      await Promise.all(ports.map(kill));
      rmSync(root, { recursive: true, force: true });
    },
  };
  await cluster.waitUntilHealthy();
  return cluster;
}

function cli(port: number, ...args: string[]): string {
  return spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', timeout: 5000 }).stdout ?? '';
}

/** The port of the master serving `slot`, read from `CLUSTER SLOTS` (redis-cli's raw output: start, end, ip, port, id, …). */
function ownerOf(port: number, slot: number): number {
  const lines = cli(port, '--raw', 'CLUSTER', 'SLOTS').split('\n').map((line) => line.trim());
  for (let i = 0; i + 3 < lines.length; i++) {
    const start = Number(lines[i]);
    const end = Number(lines[i + 1]);
    if (/^\d+$/.test(lines[i]) && /^\d+$/.test(lines[i + 1]) && lines[i + 2] === '127.0.0.1' && slot >= start && slot <= end) return Number(lines[i + 3]);
  }
  throw new Error(`no node serves slot ${slot}`);
}

/** Cluster nodes also listen on port + 10000 (the bus): keep both free and distinct. */
async function freeDistinctPort(taken: number[]): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + 10000 < 65536 && !taken.includes(port)) return port;
  }
}
