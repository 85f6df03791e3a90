/**
 * `express-payment-webhooks simulate …`, run as the built binary (npm test
 * builds first), against a real server with the five providers' middleware.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCardIssuingWebhookMiddleware,
  createCryptoGatewayWebhookMiddleware,
  createPay247WebhookMiddleware,
  createPingPongKybWebhookMiddleware,
  createSgateWebhookMiddleware,
} from '../../lib';
import { EXPRESS_VERSIONS, type ExpressVersion } from '../helpers/express-versions';
import { listen, type Running } from '../helpers/server';

const BIN = join(__dirname, '..', '..', 'dist', 'cli', 'index.js');
const dir = mkdtempSync(join(tmpdir(), 'epw-simulate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = 'simulate-cli-secret-0123456789';
const API_KEY = 'sgate-cli-api-key';
const sgateSystem = generateKeyPairSync('rsa', { modulusLength: 2048 });
const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const SYSTEM_KEY_FILE = join(dir, 'sgate-system-private.pem');
const MERCHANT_PUBLIC_FILE = join(dir, 'merchant-public.pem');
writeFileSync(SYSTEM_KEY_FILE, sgateSystem.privateKey.export({ type: 'pkcs8', format: 'pem' }));
writeFileSync(MERCHANT_PUBLIC_FILE, merchant.publicKey.export({ type: 'spki', format: 'pem' }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const { EPW_SECRET: _ignored, ...inherited } = process.env;
    execFile(process.execPath, [BIN, ...args], { env: { ...inherited, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The receiving side: every provider mounted, with a record of what the handlers saw and a switch to make one fail. */
class Merchant {
  events: Array<{ provider: string; type: string; data: any }> = [];
  requests = 0;
  refused = 0;
  failing = new Set<string>();
  hold: Promise<void> | undefined;
  onRefused: () => void = () => undefined;
  server!: Running;

  async start(express: ExpressVersion): Promise<void> {
    const app = express.create();
    app.use((_req, res, next) => {
      this.requests++;
      res.on('finish', () => {
        if (res.statusCode === 503) {
          this.refused++;
          this.onRefused();
        }
      });
      next();
    });
    const onEvent = async (event: { provider: string; type: string; data: unknown }) => {
      if (this.hold) await this.hold;
      if (this.failing.delete(event.provider)) throw new Error('database down');
      this.events.push({ provider: event.provider, type: event.type, data: event.data });
    };
    app.post('/pay247', createPay247WebhookMiddleware({ secret: SECRET, onEvent }));
    app.post('/sgate', createSgateWebhookMiddleware({ publicKey: sgateSystem.publicKey, apiKey: API_KEY, privateKey: merchant.privateKey, onEvent }));
    app.post('/card-issuing', createCardIssuingWebhookMiddleware({ secret: SECRET, onEvent }));
    app.post('/pingpong-kyb', createPingPongKybWebhookMiddleware({ secret: SECRET, acceptUnsignedStatus: true, onEvent }));
    app.post('/crypto', createCryptoGatewayWebhookMiddleware({ secret: SECRET, onEvent }));
    this.server = await listen(app);
  }

  reset(): void {
    this.events = [];
    this.requests = 0;
    this.refused = 0;
    this.failing.clear();
    this.hold = undefined;
  }
}

const dataFile = join(dir, 'pay247-fields.json');
writeFileSync(dataFile, JSON.stringify({ out_order_no: 'FROM-FILE-1', amount: '12.3400' }));

describe.each(EXPRESS_VERSIONS)('simulate each provider against the real middleware ($name): acknowledged → exit 0', (express) => {
  const merchantSide = new Merchant();
  beforeAll(() => merchantSide.start(express));
  afterAll(() => merchantSide.server.close());
  beforeEach(() => merchantSide.reset());
  const url = (path: string) => `${merchantSide.server.url}${path}`;

  test.each([
    ['pay247 as a form, status 3, fields from --data', 'pay247', ['--url', '/pay247', '--secret', SECRET, '--format', 'form', '--status', '3', '--data', dataFile], 'payout.failed', { status: '3', out_order_no: 'FROM-FILE-1', amount: '12.3400' }],
    ['sgate payout, signed with --private-key, sensitive fields encrypted', 'sgate', ['--url', '/sgate', '--private-key', SYSTEM_KEY_FILE, '--api-key', API_KEY, '--merchant-public-key', MERCHANT_PUBLIC_FILE, '--event', 'SALARY_STATUS_CHANGE'], 'SALARY_STATUS_CHANGE', { custominfo: expect.objectContaining({ cardno: '4000001234567899' }) }],
    ['card-issuing, token in the URL query', 'card-issuing', ['--url', '/card-issuing', '--secret', SECRET, '--event', 'card.status.freeze'], 'card.status.freeze', {}],
    ['card-issuing, token in the header', 'card-issuing', ['--url', '/card-issuing', '--secret', SECRET, '--token-in', 'header'], 'card.status.active', {}],
    ['pingpong-kyb store review, PASS', 'pingpong-kyb', ['--url', '/pingpong-kyb', '--secret', SECRET, '--type', 'SM_STORE_REVIEW', '--status', 'PASS'], 'SM_STORE_REVIEW', { status: 'PASS' }],
    ['crypto-gateway withdrawal as XML, failed', 'crypto-gateway', ['--url', '/crypto', '--secret', SECRET, '--type', 'transfer', '--format', 'xml', '--status', '2'], 'transfer', { status: '2' }],
  ])('%s', async (_label, provider, args, type, data) => {
    const withUrl = args.map((arg, i) => (args[i - 1] === '--url' ? url(arg) : arg));
    const run = await cli(['simulate', provider, ...withUrl]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(new RegExp(`^${provider} → POST http://127\\.0\\.0\\.1:\\d+/`));
    expect(run.stdout).toMatch(/\n\d\d:\d\d:\d\d\.\d{3} {2}attempt 1\/\d+ {2}20\d "[^\n]*" {2}acknowledged\n/);
    expect(run.stdout).toMatch(/\nacknowledged after 1 attempt\n$/);
    expect(merchantSide.events).toEqual([{ provider, type, data: expect.objectContaining(data) }]);
    // The card-issuing token travels in the URL; it is never printed.
    expect(run.stdout).not.toContain(SECRET);
  });
});

describe('simulate: retries, exit codes and copies', () => {
  const merchantSide = new Merchant();
  beforeAll(() => merchantSide.start(EXPRESS_VERSIONS[0]));
  afterAll(() => merchantSide.server.close());
  beforeEach(() => merchantSide.reset());
  const url = (path: string) => `${merchantSide.server.url}${path}`;
  const attemptLines = (stdout: string) => stdout.split('\n').filter((line) => /^\d\d:\d\d:\d\d\.\d{3} /.test(line));

  test("the schedule runs out → exit 1: Pay247's 6 attempts, delays scaled by --speed", async () => {
    const run = await cli(['simulate', 'pay247', '--url', url('/pay247'), '--secret', 'not-the-secret', '--speed', '1000']);
    expect(run.code).toBe(1);
    const lines = attemptLines(run.stdout);
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/attempt 1\/6 {2}401 "fail" {2}not acknowledged, next retry in 3 ms \(3 s at --speed 1000\)$/);
    expect(lines[4]).toMatch(/attempt 5\/6 {2}401 "fail" {2}not acknowledged, next retry in 243 ms \(4\.1 min at --speed 1000\)$/);
    expect(lines[5]).toMatch(/attempt 6\/6 {2}401 "fail" {2}not acknowledged$/);
    expect(run.stdout).toMatch(/not acknowledged: pay247 gives up after 6 attempts \(its schedule ran out\)\n$/);
    expect(merchantSide.requests).toBe(6);
  });

  test("a handler that fails once: the provider's retry is acknowledged → exit 0", async () => {
    merchantSide.failing.add('sgate');
    const run = await cli(['simulate', 'sgate', '--url', url('/sgate'), '--private-key', SYSTEM_KEY_FILE, '--api-key', API_KEY, '--merchant-public-key', MERCHANT_PUBLIC_FILE, '--speed', '1000']);
    expect(run.code).toBe(0);
    const lines = attemptLines(run.stdout);
    expect(lines[0]).toMatch(/attempt 1\/5 {2}500 "\{\\"code\\":500,[^\n]*" {2}not acknowledged, next retry in 5 ms \(5 s at --speed 1000\)$/);
    expect(lines[1]).toMatch(/attempt 2\/5 {2}200 "[^\n]*" {2}acknowledged$/);
    expect(run.stdout).toContain('acknowledged after 2 attempts');
    expect(merchantSide.events).toHaveLength(1);
  });

  test('--attempts caps the schedule; --schedule sets it where it is a merchant setting', async () => {
    merchantSide.failing.add('pay247');
    const capped = await cli(['simulate', 'pay247', '--url', url('/pay247'), '--secret', SECRET, '--attempts', '1']);
    expect(capped.code).toBe(1);
    expect(attemptLines(capped.stdout)).toHaveLength(1);
    expect(capped.stdout).toContain('not acknowledged: stopped after 1 attempt (--attempts 1)');

    const scheduled = await cli(['simulate', 'crypto-gateway', '--url', url('/crypto'), '--secret', 'wrong', '--schedule', '1s,2s', '--speed', '1000']);
    expect(scheduled.code).toBe(1);
    expect(scheduled.stdout).toContain('3 attempts at most; retries after 1 s, 2 s (a merchant setting: --schedule); at --speed 1000: 1 ms, 2 ms');
    expect(attemptLines(scheduled.stdout)).toHaveLength(3);
  });

  test('nobody listening: each attempt shows the connection error, once the question to ask, exit 1', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const run = await cli(['simulate', 'pingpong-kyb', '--url', `http://127.0.0.1:${port}/n`, '--secret', SECRET, '--attempts', '2', '--speed', '1000']);
    expect(run.code).toBe(1);
    expect(attemptLines(run.stdout).map((line) => line.split('  ')[2])).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
    expect(run.stdout.match(/ECONNREFUSED: nothing accepted the connection\. Is your app running at (\S+)\?/g)).toEqual([
      `ECONNREFUSED: nothing accepted the connection. Is your app running at http://127.0.0.1:${port}/n?`,
    ]);
  });

  test('--duplicate: the same notification again and again; acknowledged each time, handled once', async () => {
    const run = await cli(['simulate', 'pay247', '--url', url('/pay247'), '--duplicate', '3'], { EPW_SECRET: SECRET });
    expect(run.code).toBe(0);
    expect(attemptLines(run.stdout).map((line) => line.split('  ')[1])).toEqual(['#1 attempt 1/6', '#2 attempt 1/6', '#3 attempt 1/6']);
    expect(run.stdout).toMatch(/\nsummary: 3 copies one after the other; first answers: 200 "SUCCESS" ×3; acknowledged 3 of 3 \(attempts: 1, 1, 1\)\n$/);
    expect(merchantSide.events).toHaveLength(1);
  });

  test('--concurrent: copies at once; one is handled, the others answered "in flight" and acknowledged on retry', async () => {
    merchantSide.hold = new Promise<void>((resolve) => {
      merchantSide.onRefused = () => {
        if (merchantSide.refused === 2) resolve();
      };
    });
    const run = await cli(['simulate', 'crypto-gateway', '--url', url('/crypto'), '--secret', SECRET, '--concurrent', '3', '--speed', '1000']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\nsummary: 3 copies at once; first answers: (200 "success" ×1, 503 "fail" ×2|503 "fail" ×2, 200 "success" ×1); acknowledged 3 of 3 \(attempts: [12], [12], [12]\)\n$/);
    expect(merchantSide.events).toHaveLength(1);
  });

  test('stdout not a terminal: plain lines, no progress display', async () => {
    const run = await cli(['simulate', 'pay247', '--url', url('/pay247'), '--secret', 'wrong', '--attempts', '2', '--speed', '1000']);
    expect(run.stdout).not.toMatch(/[\r\x1b]/);
  });

  test.concurrent.each([
    ['an unknown provider', ['simulate', 'paypal', '--url', 'http://127.0.0.1:1/']],
    ['no provider', ['simulate', '--url', 'http://127.0.0.1:1/']],
    ['no --url', ['simulate', 'pay247', '--secret', 'k']],
    ['a URL that is not one', ['simulate', 'pay247', '--url', 'localhost/notify', '--secret', 'k']],
    ['no --secret', ['simulate', 'pay247', '--url', 'http://127.0.0.1:1/']],
    ['SGATE without --private-key', ['simulate', 'sgate', '--url', 'http://127.0.0.1:1/', '--api-key', 'a']],
    ['a key file that does not exist', ['simulate', 'sgate', '--url', 'http://127.0.0.1:1/', '--api-key', 'a', '--private-key', join(dir, 'missing.pem')]],
    ['a file that holds no key', ['simulate', 'sgate', '--url', 'http://127.0.0.1:1/', '--api-key', 'a', '--private-key', dataFile]],
    ['--data that is not JSON', ['simulate', 'pay247', '--url', 'http://127.0.0.1:1/', '--secret', 'k', '--data', SYSTEM_KEY_FILE]],
    ['a format the provider never sends', ['simulate', 'pay247', '--url', 'http://127.0.0.1:1/', '--secret', 'k', '--format', 'xml']],
    ['a status that does not exist', ['simulate', 'pingpong-kyb', '--url', 'http://127.0.0.1:1/', '--secret', 'k', '--status', 'OK']],
    ['an option of another provider', ['simulate', 'card-issuing', '--url', 'http://127.0.0.1:1/', '--secret', 'k', '--status', '2']],
    ['--schedule where it is documented', ['simulate', 'sgate', '--url', 'http://127.0.0.1:1/', '--private-key', SYSTEM_KEY_FILE, '--api-key', 'a', '--schedule', '1s']],
    ['a schedule without units', ['simulate', 'crypto-gateway', '--url', 'http://127.0.0.1:1/', '--secret', 'k', '--schedule', '5,30']],
    ['--speed 0', ['simulate', 'pay247', '--url', 'http://127.0.0.1:1/', '--secret', 'k', '--speed', '0']],
    ['--attempts 0', ['simulate', 'pay247', '--url', 'http://127.0.0.1:1/', '--secret', 'k', '--attempts', '0']],
    ['--duplicate and --concurrent', ['simulate', 'pay247', '--url', 'http://127.0.0.1:1/', '--secret', 'k', '--duplicate', '2', '--concurrent', '2']],
    ['an unknown option', ['simulate', 'pay247', '--url', 'http://127.0.0.1:1/', '--secret', 'k', '--retries', '3']],
  ])('bad usage (%s): exit 2 and a message', async (_name, args) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: /);
    expect(run.stdout).toBe('');
  });

  test('the usage message names the option and the reason', async () => {
    const run = await cli(['simulate', 'card-issuing', '--url', 'http://127.0.0.1:1/', '--secret', 'k', '--status', '2']);
    expect(run.stderr).toBe('error: --status does not apply to card-issuing: the card state is the event (e.g. event card.status.freeze)\n');
  });

  test('--help: every provider, its choices, the exit codes and examples', async () => {
    const help = await cli(['simulate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: express-payment-webhooks simulate \[options\] <provider>/);
    for (const name of ['sgate', 'card-issuing', 'pay247', 'pingpong-kyb', 'crypto-gateway']) expect(help.stdout).toContain(`simulate ${name} --url`);
    for (const option of ['--secret', '--private-key', '--api-key', '--token-in', '--event', '--status', '--format', '--type', '--data', '--speed', '--attempts', '--schedule', '--duplicate', '--concurrent']) {
      expect(help.stdout).toContain(option);
    }
    expect(help.stdout).toContain('Exit status: 0 acknowledged');
    const top = await cli(['--help']);
    expect(top.stdout).toMatch(/simulate \[options\] <provider>/);
  });
});
