/**
 * The example app with INBOX_DB set, as `npm run example` starts it: a real
 * process with a SqliteInbox and the dashboard at /admin/webhooks behind the
 * development password it prints. Without INBOX_DB nothing is mounted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPay247Notification } from '../../lib/testing';
import { until } from '../helpers/async';

const SERVER = join(__dirname, '..', '..', 'examples', 'merchant-server', 'server.js');
const dir = mkdtempSync(join(tmpdir(), 'epw-example-dashboard-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string>): Promise<{ base: string; output: () => string }> {
  const child = spawn(process.execPath, [SERVER], { env: { ...process.env, PORT: '0', PAY247_KEY: 'example-test-key', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  const base = await new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`example exited with ${code}: ${output}`)));
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)[\s\S]*\n {2}(GET {2}\/admin|\(set INBOX_DB)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.stderr!.on('data', (chunk) => (output += chunk));
  });
  return { base, output: () => output };
}

test('with INBOX_DB: the dashboard asks for the printed password, then shows a stored notification delivered', async () => {
  const { base, output } = await start({ INBOX_DB: join(dir, 'inbox.db') });
  const password = /user ops, password (\S+) \(development only\)/.exec(output())![1];
  const dashboard = `${base}/admin/webhooks`;

  const anonymous = await fetch(`${dashboard}/`);
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  const wrong = await fetch(`${dashboard}/`, { headers: { authorization: `Basic ${Buffer.from('ops:guess').toString('base64')}` } });
  expect(wrong.status).toBe(401);

  const n = buildPay247Notification({ secret: 'example-test-key', fields: { out_order_no: 'ORDER-9', status: 2 } });
  expect((await fetch(`${base}/notify/pay247`, { method: 'POST', headers: n.headers, body: n.body })).status).toBe(200);
  const auth = { authorization: `Basic ${Buffer.from(`ops:${password}`).toString('base64')}` };
  // Delivered from the inbox by the app's worker, a moment after the ack: the order is paid.
  await until(async () => (await fetch(`${base}/orders`).then((r) => r.text())).includes('"state":"paid"'));
  const page = await fetch(`${dashboard}/entries?state=done`, { headers: auth });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('1 entry, page 1 of 1');
});

test('without INBOX_DB: no dashboard, and the start-up text says how to get one', async () => {
  const { base, output } = await start({});
  expect(output()).toContain('set INBOX_DB=./webhooks-inbox.db');
  expect((await fetch(`${base}/admin/webhooks/`)).status).toBe(404);
});
