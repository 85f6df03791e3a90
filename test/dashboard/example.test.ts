/**
 * The example app as `npm run example` starts it: a real process with a
 * SqliteInbox (INBOX_DB, or out of the box a temporary one) and the
 * dashboard at /admin/webhooks behind the development password it prints.
 * With NODE_ENV=production the development password is refused: nothing is
 * mounted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
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

async function start(env: Record<string, string>): Promise<{ base: string; output: () => string; child: ChildProcess }> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !['INBOX_DB', 'DASHBOARD_PASSWORD', 'NODE_ENV'].includes(name)));
  const child = spawn(process.execPath, [SERVER], { env: { ...inherited, PORT: '0', PAY247_KEY: 'example-test-key', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  const base = await new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`example exited with ${code}: ${output}`)));
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)[\s\S]*\n {2}(GET {2}\/admin|\(inbox dashboard not mounted)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.stderr!.on('data', (chunk) => (output += chunk));
  });
  return { base, output: () => output, child };
}

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
const passwordIn = (output: string) => /user ops, password (\S+) \(development only\)/.exec(output)![1];

test('with INBOX_DB: the dashboard asks for the printed password, then shows a stored notification delivered', async () => {
  const { base, output } = await start({ INBOX_DB: join(dir, 'inbox.db') });
  const password = passwordIn(output());
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
  // The entry's page: its one attempt, delivered.
  const entry = await fetch(`${dashboard}/entry?key=${encodeURIComponent(`pay247:${n.fields.order_no}:2`)}`, { headers: auth });
  expect(await entry.text()).toContain('<span class="outcome outcome-delivered">delivered</span>');
});

test('out of the box (no INBOX_DB): an inbox in a temporary directory and the dashboard behind a password printed at start; the directory goes when the app stops', async () => {
  const { base, output, child } = await start({});
  const path = /using a DEVELOPMENT inbox in (\S+), deleted when the app stops/.exec(output())![1];
  // Made by the inbox's own thread, a moment after the app started.
  await until(() => existsSync(path));
  const password = passwordIn(output());
  expect(password.length).toBeGreaterThanOrEqual(16);
  expect((await fetch(`${base}/admin/webhooks/`)).status).toBe(401);
  expect((await fetch(`${base}/admin/webhooks/`, { headers: basic('ops', password) })).status).toBe(200);
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
  expect(existsSync(dirname(path))).toBe(false);
});

test('NODE_ENV=production: the development password is refused, even one given as DASHBOARD_PASSWORD; nothing is mounted', async () => {
  for (const env of [{ NODE_ENV: 'production' }, { NODE_ENV: 'production', INBOX_DB: join(dir, 'production.db'), DASHBOARD_PASSWORD: 'a-password-set-by-hand' }] as Array<Record<string, string>>) {
    const { base, output } = await start(env);
    expect(output()).toContain('inbox dashboard not mounted: NODE_ENV=production refuses its development password');
    expect(output()).not.toMatch(/password \S+ \(development only\)|a-password-set-by-hand/);
    expect((await fetch(`${base}/admin/webhooks/`)).status).toBe(404);
    expect((await fetch(`${base}/admin/webhooks/`, { headers: basic('ops', 'a-password-set-by-hand') })).status).toBe(404);
  }
  // Without INBOX_DB, production has no inbox at all: notifications are handled while the provider waits.
  const { output } = await start({ NODE_ENV: 'production' });
  expect(output()).not.toContain('DEVELOPMENT inbox');
  expect(output()).toContain('and set INBOX_DB for an inbox');
});
