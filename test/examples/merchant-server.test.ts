/** The example merchant app as `npm run example` starts it: a real process on a real port. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPay247Notification, buildSgateNotification } from '../../lib/testing';
import { until } from '../helpers/async';

const SERVER = join(__dirname, '..', '..', 'examples', 'merchant-server', 'server.js');
const SECRET_VARIABLES = ['PAY247_KEY', 'SGATE_PUBLIC_KEY', 'SGATE_API_KEY', 'SGATE_MERCHANT_KEY', 'CARD_ISSUING_TOKEN', 'PINGPONG_SALT', 'CRYPTO_GATEWAY_KEY'];

interface Started {
  base: string;
  output: () => string;
  stop: () => Promise<void>;
}

const running: Started[] = [];
let devKeys: string;
beforeAll(() => {
  devKeys = mkdtempSync(join(tmpdir(), 'epw-dev-keys-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
});
afterAll(() => rmSync(devKeys, { recursive: true, force: true }));

/** The example with only `env` set (no secrets from the test runner's environment), resolved once it listens. */
function startExample(env: Record<string, string>): Promise<Started> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SECRET_VARIABLES.includes(name)));
  const child = spawn(process.execPath, [SERVER], { env: { ...clean, NODE_ENV: 'development', DEV_KEYS_DIR: devKeys, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<Started>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`example exited with ${code}: ${output}`)));
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match === null) return;
      const started = {
        base: match[1],
        output: () => output,
        stop: async () => {
          child.kill();
          await exited;
        },
      };
      running.push(started);
      resolve(started);
    });
  });
}

/** The example's exit code and output when it cannot start. */
function failToStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [SERVER], { env: { ...process.env, DEV_KEYS_DIR: devKeys, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

test('a signed Pay247 notification updates the order once and is logged; a forged one is refused, logged by the package', async () => {
  const app = await startExample({ PORT: '0', PAY247_KEY: 'example-test-key' });
  const n = buildPay247Notification({ secret: 'example-test-key', fields: { out_order_no: 'ORDER-1', status: 2 } });
  for (let i = 0; i < 2; i++) {
    const reply = await fetch(`${app.base}/notify/pay247`, { method: 'POST', headers: n.headers, body: n.body });
    expect(reply.status).toBe(200);
    expect(await reply.text()).toBe('SUCCESS');
  }
  const forged = buildPay247Notification({ secret: 'wrong', fields: { out_order_no: 'ORDER-2' } });
  expect((await fetch(`${app.base}/notify/pay247`, { method: 'POST', headers: forged.headers, body: forged.body })).status).toBe(401);

  // Delivered from the example's inbox a moment after the ack.
  await until(async () => ((await (await fetch(`${app.base}/orders`)).json()) as unknown[]).length > 0);
  const orders = await (await fetch(`${app.base}/orders`)).json();
  expect(orders).toEqual([expect.objectContaining({ id: 'ORDER-1', state: 'paid', amount: '100.0000', history: ['paid'] })]);
  expect(app.output()).toMatch(/pay247: payout\.succeeded for order ORDER-1/);
  expect(app.output()).toMatch(/express-payment-webhooks \(pay247\) SIGNATURE_MISMATCH status=401/);
  // A secret from the environment is the merchant's: never printed.
  expect(app.output()).not.toContain('example-test-key');
});

test('every development secret in use is printed; the SGATE development key is the same after a restart', async () => {
  const keys = mkdtempSync(join(devKeys, 'restart-'));
  const first = await startExample({ PORT: '0', DEV_KEYS_DIR: keys });
  for (const printed of ['pay247-dev-key', 'sgate-dev-api-key', 'card-issuing-dev-token-0123456789', 'pingpong-dev-salt', 'crypto-gateway-dev-key', join(keys, 'sgate-system-private-key.pem')]) {
    expect(first.output()).toContain(printed);
  }
  expect(first.output()).toContain('generated now');
  const privateKey = readFileSync(join(keys, 'sgate-system-private-key.pem'), 'utf8');
  await first.stop();

  const second = await startExample({ PORT: '0', DEV_KEYS_DIR: keys });
  expect(second.output()).toContain('kept from an earlier run');
  const n = buildSgateNotification({ privateKey, apiKey: 'sgate-dev-api-key', url: '/notify/sgate', event: 'SALARY_STATUS_CHANGE' });
  expect((await fetch(`${second.base}/notify/sgate`, { method: 'POST', headers: n.headers, body: n.body })).status).toBe(200);
});

test('PORT is honoured; a port already taken is said in words, without a stack trace', async () => {
  const taken: Server = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as AddressInfo;
  try {
    const { code, output } = await failToStart({ PORT: String(port) });
    expect(code).toBe(1);
    expect(output).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    expect(output).toContain('PORT=<another port>');
    expect(output).not.toMatch(/\n\s+at /);
  } finally {
    taken.close();
  }
  const { code, output } = await failToStart({ PORT: 'eighty' });
  expect(code).toBe(1);
  expect(output).toContain('PORT must be a port number');
});
