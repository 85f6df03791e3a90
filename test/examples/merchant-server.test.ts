/** The example merchant app as `npm run example` starts it: a real process on a real port. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { buildPay247Notification } from '../../lib/testing';

let child: ChildProcess;
let base: string;
let output = '';

beforeAll(async () => {
  child = spawn(process.execPath, [join(__dirname, '..', '..', 'examples', 'merchant-server', 'server.js')], {
    env: { ...process.env, PORT: '0', PAY247_KEY: 'example-test-key' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  base = await new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`example exited with ${code}: ${output}`)));
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.stderr!.on('data', (chunk) => (output += chunk));
  });
});

afterAll(() => {
  child.removeAllListeners('exit');
  child.kill();
});

test('a signed Pay247 notification updates the order once and is logged; a forged one is refused', async () => {
  const n = buildPay247Notification({ secret: 'example-test-key', fields: { out_order_no: 'ORDER-1', status: 2 } });
  for (let i = 0; i < 2; i++) {
    const reply = await fetch(`${base}/notify/pay247`, { method: 'POST', headers: n.headers, body: n.body });
    expect(reply.status).toBe(200);
    expect(await reply.text()).toBe('SUCCESS');
  }
  const forged = buildPay247Notification({ secret: 'wrong', fields: { out_order_no: 'ORDER-2' } });
  expect((await fetch(`${base}/notify/pay247`, { method: 'POST', headers: forged.headers, body: forged.body })).status).toBe(401);

  const orders = await (await fetch(`${base}/orders`)).json();
  expect(orders).toEqual([expect.objectContaining({ id: 'ORDER-1', state: 'paid', amount: '100.0000', history: ['paid'] })]);
  expect(output).toMatch(/pay247: payout\.succeeded for order ORDER-1/);
  expect(output).toMatch(/refused SIGNATURE_MISMATCH/);
  expect(output).not.toContain('example-test-key');
});
