/**
 * examples/cluster: separate Node processes of the merchant app sharing one
 * Redis. What each handled is counted in a file they all append to, never in
 * one process's memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPay247Notification, type Notification } from '../../lib/testing';
import { describeWithRedis, startRedisServer, type RedisServer } from '../helpers/redis-server';

const SECRET = 'cluster-test-key';
const EXAMPLE = join(__dirname, '..', '..', 'examples', 'cluster');

describeWithRedis('examples/cluster: two app processes, one Redis', () => {
  let redis: RedisServer;
  let dir: string;
  let logFile: string;
  const processes: ChildProcess[] = [];
  let bases: string[];

  beforeAll(async () => {
    redis = await startRedisServer();
    dir = mkdtempSync(join(tmpdir(), 'epw-cluster-test-'));
    logFile = join(dir, 'handled.log');
    writeFileSync(logFile, '');
    bases = await Promise.all(
      ['a', 'b'].map((name) => start('instance.js', { INSTANCE: name, PORT: '0', REDIS_URL: redis.url, PAY247_KEY: SECRET, LOG_FILE: logFile }).base),
    );
  });

  afterAll(async () => {
    await Promise.all(processes.map(stop));
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(script: string, env: Record<string, string>): { child: ChildProcess; base: Promise<string>; output: () => string } {
    const child = spawn(process.execPath, [join(EXAMPLE, script)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    processes.push(child);
    let output = '';
    const base = new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${output}`)));
      child.stdout!.on('data', (chunk) => {
        output += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]);
      });
      child.stderr!.on('data', (chunk) => (output += chunk));
    });
    return { child, base, output: () => output };
  }

  const deliver = async (base: string, n: Notification) => {
    const reply = await fetch(`${base}/notify/pay247`, { method: 'POST', headers: n.headers, body: n.body, signal: AbortSignal.timeout(10_000) });
    return `${reply.status} ${await reply.text()}`;
  };
  const timesHandled = (n: Notification) =>
    readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes(`payout.succeeded for order ${n.fields.out_order_no} `)).length;

  test('the same notifications sent to both processes many times at once: each handled exactly once in total', async () => {
    const notifications = Array.from({ length: 5 }, () => buildPay247Notification({ secret: SECRET, fields: { status: 2 } }));
    const replies = await Promise.all(notifications.flatMap((n) => bases.flatMap((base) => Array.from({ length: 20 }, () => deliver(base, n)))));

    // 503: another request held the claim at that moment (the provider retries); never a 200 without a handling.
    for (const reply of replies) expect(['200 SUCCESS', '503 fail']).toContain(reply);
    expect(replies).toContain('200 SUCCESS');
    for (const n of notifications) expect(timesHandled(n)).toBe(1);

    // Later redeliveries, to either process: acked without running the handler again.
    for (const n of notifications) for (const base of bases) expect(await deliver(base, n)).toBe('200 SUCCESS');
    for (const n of notifications) expect(timesHandled(n)).toBe(1);
  });

  test('Redis killed under both processes: 503 from both, then normal service once it is back, with no restart', async () => {
    await redis.stop(true);
    const refused = bases.map(() => buildPay247Notification({ secret: SECRET, fields: { status: 2 } }));
    for (const [i, base] of bases.entries()) expect(await deliver(base, refused[i])).toBe('503 fail');
    for (const n of refused) expect(timesHandled(n)).toBe(0);

    await redis.restart();
    for (const [i, base] of bases.entries()) {
      let reply = await deliver(base, refused[i]);
      for (let attempt = 0; reply !== '200 SUCCESS' && attempt < 100; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        reply = await deliver(base, refused[i]);
      }
      expect(reply).toBe('200 SUCCESS');
    }
    for (const n of refused) expect(timesHandled(n)).toBe(1);
  });

  test('npm run example:cluster starts its own Redis and two instances, and shows one handling', async () => {
    const run = start('run.js', { PORTS: '0,0', REDIS_URL: '', PAY247_KEY: SECRET });
    await new Promise<void>((resolve, reject) => {
      run.child.once('exit', (code) => reject(new Error(`run.js exited with ${code}: ${run.output()}`)));
      run.child.stdout!.on('data', () => run.output().includes('Both instances keep running') && resolve());
    });
    expect(run.output()).toMatch(/demo: 20 deliveries of one notification/);
    expect(run.output()).toMatch(/demo: handled 1 time\(s\)/);
    expect(run.output()).toMatch(/demo: redelivered later → 200 SUCCESS, 200 SUCCESS; handled 1 time\(s\)/);
    expect(await stop(run.child)).toBe(0);
  });
});

function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  child.removeAllListeners('exit');
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}
