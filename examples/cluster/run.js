'use strict';
// `npm run example:cluster`: two instances of the merchant app sharing one
// Redis, then the same notification sent to both many times at once.
//
// Redis: REDIS_URL when set; otherwise a throwaway redis-server (no
// persistence) on a free loopback port, stopped again on exit.
// Ports: PORTS (default "3001,3002"). Ctrl-C stops everything.
const { spawn, spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { createServer, connect } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { buildPay247Notification, sendNotification } = require('express-payment-webhooks/testing');

const SECRET = process.env.PAY247_KEY || 'pay247-dev-key';
const PORTS = (process.env.PORTS || '3001,3002').split(',').map(Number);
const children = [];
const workDir = mkdtempSync(join(tmpdir(), 'epw-cluster-'));
const logFile = join(workDir, 'handled.log');

async function main() {
  writeFileSync(logFile, '');
  const redisUrl = process.env.REDIS_URL || (await startRedis());
  console.log(`redis: ${redisUrl.replace(/\/\/[^@/]*@/, '//***@')}`);
  const bases = await Promise.all(PORTS.map((port, i) => startInstance(`instance-${'ab'[i] ?? i}`, port, redisUrl)));
  await demo(bases);
  console.log('\nBoth instances keep running. POST Pay247 notifications to either /notify/pay247; Ctrl-C stops.');
}

/** The same notification, 10 times to each instance at once, as a provider's retries and duplicates might arrive. */
async function demo(bases) {
  const n = buildPay247Notification({ secret: SECRET, fields: { out_order_no: `DEMO-${Date.now()}`, status: 2 } });
  const sends = bases.flatMap((base) => Array.from({ length: 10 }, () => sendNotification(`${base}/notify/pay247`, n)));
  const replies = await Promise.all(sends);
  const tally = {};
  for (const r of replies) tally[`${r.status} ${r.body}`] = (tally[`${r.status} ${r.body}`] ?? 0) + 1;
  const handledLines = () => readFileSync(logFile, 'utf8').split('\n').filter((line) => line.includes(`for order ${n.fields.out_order_no}`));
  console.log(`\ndemo: ${replies.length} deliveries of one notification → ${JSON.stringify(tally)}`);
  console.log(`demo: handled ${handledLines().length} time(s): ${handledLines().join(' | ')}`);
  const redelivered = await Promise.all(bases.map((base) => sendNotification(`${base}/notify/pay247`, n)));
  console.log(`demo: redelivered later → ${redelivered.map((r) => `${r.status} ${r.body}`).join(', ')}; handled ${handledLines().length} time(s)`);
}

function startInstance(name, port, redisUrl) {
  const child = spawn(process.execPath, [join(__dirname, 'instance.js')], {
    env: { ...process.env, INSTANCE: name, PORT: String(port), REDIS_URL: redisUrl, PAY247_KEY: SECRET, LOG_FILE: logFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  child.stdout.pipe(process.stdout);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening`)));
  });
}

async function startRedis() {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (found.status !== 0) {
    throw new Error('redis-server is not installed: install it (apt-get install redis-server) or set REDIS_URL=redis://host:port.');
  }
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', workDir];
  children.push(spawn(found.stdout.trim(), args, { stdio: 'ignore' }));
  await waitForPort(port);
  return `redis://127.0.0.1:${port}`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const open = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server did not start on port ${port}`);
}

async function shutdown(code) {
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  const exited = running.map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of running) child.kill('SIGTERM');
  await Promise.race([Promise.all(exited), new Promise((resolve) => setTimeout(resolve, 3000))]);
  rmSync(workDir, { recursive: true, force: true });
  process.exit(code);
}

process.once('SIGINT', () => shutdown(0));
process.once('SIGTERM', () => shutdown(0));
main().catch((error) => {
  console.error(`example:cluster: ${error.message}`);
  shutdown(1);
});
