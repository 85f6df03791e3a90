/**
 * Every option of every command, fed absurd values (negative, zero, NaN,
 * huge, empty, non-numeric, out of range): each is a usage error, exit 2,
 * with a message, promptly, before anything is opened or sent. Never a crash
 * trace, a hang, or a value that quietly means something else (an invalid
 * date as "no bound", a timer overflow as "at once"). The table runs the
 * CLI's main() in this process (two hundred child processes would take
 * minutes); a sample of it runs as the built binary, to see the exit code and
 * that the process ends.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../lib/cli';
import { runCli, type Run } from './run-cli';

const dir = mkdtempSync(join(tmpdir(), 'epw-absurd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** Never created: every row must be refused before a database is opened. */
const DB = join(dir, 'never-created.db');
const KEY_FILE = join(dir, 'sgate-private.pem');
writeFileSync(KEY_FILE, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
/** Nothing listens there: a row that got as far as sending would fail with exit 1, not 2. */
const URL = 'http://127.0.0.1:1/notify';
const REDIS = 'redis://127.0.0.1:1';

const NOT_NUMBERS = ['', ' ', 'abc', 'NaN', 'Infinity', '0x', '1e'];
const BAD_COUNTS = [...NOT_NUMBERS, '-1', '0', '1.5', '1e3', '+2', '99999999999999999999999'];
const BAD_DURATIONS = [...NOT_NUMBERS, '0', '0s', '0ms', '-1s', '7', '1.5h', '5 s', '5sec', `${'9'.repeat(400)}ms`];

type Row = [label: string, args: string[]];

/** One row per value: `base` with `option value` appended. */
function each(base: string[], option: string, values: readonly string[]): Row[] {
  return values.map((value) => [`${base.slice(0, 2).join(' ')} ${option} ${JSON.stringify(value)}`, [...base, option, value]]);
}

const list = ['inbox', 'list', '--db', DB];
const purge = ['inbox', 'purge', '--db', DB];
const pay247 = ['simulate', 'pay247', '--url', URL, '--secret', 'k'];
const crypto = ['simulate', 'crypto-gateway', '--url', URL, '--secret', 'k'];
const sgate = ['simulate', 'sgate', '--url', URL, '--private-key', KEY_FILE, '--api-key', 'a'];

const ROWS: Row[] = [
  // inbox: where
  ...each(['inbox', 'list'], '--db', ['', ' ']),
  ...each(['inbox', 'list'], '--redis', ['', 'localhost', 'http://127.0.0.1:6379', 'redis://', 'redis://127.0.0.1:99999', 'redis://127.0.0.1:6379/x', 'redis://127.0.0.1:6379/0?db=2']),
  ...each(['inbox', 'list', '--redis', REDIS], '--prefix', ['', 'a{b}', '{', '}']),
  // inbox: what
  ...each(list, '--limit', [...BAD_COUNTS, '1000001']),
  ...each(list, '--state', ['', 'lost', 'ALL']),
  ...each(list, '--provider', ['', ' ']),
  ['inbox show ""', ['inbox', 'show', '', '--db', DB]],
  ['inbox replay ""', ['inbox', 'replay', '', '--db', DB]],
  ['inbox replay k ""', ['inbox', 'replay', 'pay247:k', ' ', '--db', DB]],
  ...each(purge, '--older-than', [...BAD_DURATIONS, '36501d', '300000000d']),
  ...each([...purge, '--dead'], '--older-than', ['300000000d']),
  // simulate: numbers
  ...each(pay247, '--speed', [...NOT_NUMBERS, '0', '-1', '-0', '0.000001', '0.0009', '1000001', '1e300']),
  ...each(pay247, '--attempts', [...BAD_COUNTS, '1001']),
  ...each(pay247, '--duplicate', [...BAD_COUNTS, '1001']),
  ...each(pay247, '--concurrent', [...BAD_COUNTS, '1001']),
  ...each(pay247, '--timeout', [...BAD_DURATIONS, '61m', '2h', '30d']),
  ...each(crypto, '--schedule', [...BAD_DURATIONS, '5s,', ',5s', '5s,,2m', '5s,0s', '5s,-1s', '31d', '5s,31d', Array(101).fill('1s').join(',')]),
  // simulate: names and files
  ['simulate ""', ['simulate', '', '--url', URL, '--secret', 'k']],
  ...each(['simulate', 'pay247', '--secret', 'k'], '--url', ['', ' ', 'localhost/notify', 'ftp://127.0.0.1/', 'http://']),
  ...each(['simulate', 'pay247', '--url', URL], '--secret', ['', ' ']),
  ...each(['simulate', 'sgate', '--url', URL, '--private-key', KEY_FILE], '--api-key', ['', ' ']),
  ...each(['simulate', 'sgate', '--url', URL, '--api-key', 'a'], '--private-key', ['', ' ', join(dir, 'missing.pem'), dir]),
  ...each(sgate, '--merchant-public-key', ['', join(dir, 'missing.pem'), KEY_FILE]),
  ...each(pay247, '--data', ['', join(dir, 'missing.json'), dir, KEY_FILE]),
  ...each(sgate, '--event', ['', ' ']),
  ...each(pay247, '--status', ['', ' ', '4', '-1', 'NaN', '2.0']),
  ...each(sgate, '--status', ['', 'NaN', '1.5', 'x', '99999999999999999999']),
  ...each(['simulate', 'pingpong-kyb', '--url', URL, '--secret', 'k'], '--status', ['', 'OK', 'pass']),
  ...each(crypto, '--status', ['', '0', '3']),
  ...each(pay247, '--format', ['', 'xml', 'JSON']),
  ...each(crypto, '--type', ['', 'refund']),
  ...each(['simulate', 'card-issuing', '--url', URL, '--secret', 'k'], '--token-in', ['', 'body']),
  ...each(crypto, '--sign-in', ['', 'query']),
];


/** main() with stdout and stderr captured; a run still going after 5 s counts as a hang (code null). */
async function runInProcess(args: readonly string[]): Promise<Run> {
  const written = { stdout: '', stderr: '' };
  const capture = (stream: 'stdout' | 'stderr') =>
    jest.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
      written[stream] += String(chunk);
      return true;
    });
  const spies = [capture('stdout'), capture('stderr')];
  let timer: NodeJS.Timeout | undefined;
  try {
    const hang = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 5000)));
    const code = await Promise.race([main(['node', 'express-payment-webhooks', ...args]), hang]);
    return { code, ...written };
  } finally {
    clearTimeout(timer);
    for (const spy of spies) spy.mockRestore();
  }
}

function expectUsageError(run: Run): void {
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/^error: \S/);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stdout).toBe('');
  expect(existsSync(DB)).toBe(false);
}

describe('main()', () => {
  const saved = process.env.EPW_SECRET;
  beforeAll(() => delete process.env.EPW_SECRET);
  afterAll(() => (saved === undefined ? delete process.env.EPW_SECRET : (process.env.EPW_SECRET = saved)));

  test.each(ROWS)('%s: usage error, exit 2, with a message', async (_label, args) => {
    expectUsageError(await runInProcess(args));
  });
});

/** One row per command and kind of check, as the binary: exit code 2 from the process itself, and it ends. */
const AS_BINARY = ['--limit "0"', '--prefix "a{b}"', '--older-than "300000000d"', '--speed "0.000001"', '--schedule "31d"', '--url "localhost/notify"'];

test.concurrent.each(ROWS.filter(([label]) => AS_BINARY.some((option) => label.endsWith(option))))('as the binary: %s', async (_label, args) => {
  expectUsageError(await runCli(args, { timeoutMs: 10_000 }));
});

test('EPW_SECRET empty or blank is refused like --secret', async () => {
  for (const secret of ['', ' ']) {
    const run = await runCli(['simulate', 'pay247', '--url', URL], { env: { EPW_SECRET: secret }, timeoutMs: 10_000 });
    expectUsageError(run);
    expect(run.stderr).toMatch(/^error: .*EPW_SECRET/);
  }
});
