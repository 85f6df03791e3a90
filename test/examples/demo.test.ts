/** `npm run demo` after the build: the scenario plays out, is narrated, and ends by itself with exit code 0. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const DEMO = join(__dirname, '..', '..', 'examples', 'demo', 'demo.js');

test('the demo narrates every step, each expectation holds, and it exits 0', async () => {
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [DEMO], { timeout: 15_000 }, (error, out, err) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout: out, stderr: err }));
  });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(stdout).not.toContain('EXPECTED');

  const step = (n: number) => stdout.slice(stdout.indexOf(`\n${n}. `), stdout.indexOf(`\n${n + 1}. `) === -1 ? undefined : stdout.indexOf(`\n${n + 1}. `));
  // 1. each provider: what was sent, the answer, the provider's conclusion, the merchant's log.
  for (const name of ['Pay247', 'SGATE', 'Card-issuing', 'PingPong', 'Crypto gateway']) {
    expect(step(1)).toMatch(new RegExp(`${name} sends: .+\\n.+POST /notify/.+\\n.+merchant answered 20\\d .*\\n.+${name} concluded: acknowledged.*\\n.+merchant log: `));
  }
  // 2. the duplicate is acked without running the handler.
  expect(step(2)).toMatch(/merchant answered 200 "SUCCESS"\n.+Pay247 concluded: acknowledged.*\n.+merchant log: \(nothing: the handler did not run\)/);
  // 3. the forgery is refused.
  expect(step(3)).toMatch(/merchant answered 401 "fail"\n.+not acknowledged[^\n]*\n.+merchant log: express-payment-webhooks \(crypto-gateway\) SIGNATURE_MISMATCH status=401/);
  // 4. the failed handler is retried on SGATE's schedule, and the retry succeeds.
  expect(step(4)).toMatch(/attempt 1: merchant answered 500 .*\n.+SGATE concluded: not acknowledged, it retries in 5 s .*\n.+HANDLER_FAILED[\s\S]*attempt 2: merchant answered 200 .*\n.+SGATE concluded: acknowledged/);
  // 6. with an inbox: acked at once, retried by the inbox, the dashboard's entry page lists the attempts.
  expect(step(6)).toMatch(/merchant answered 200 "SUCCESS": stored in the inbox[\s\S]*GET \/admin\/webhooks\/entry\?key=pay247:\S+ \(user ops, a development password\): 200\n.+attempt 1: failed: HANDLER_FAILED[^\n]*\n.+attempt 2: failed: HANDLER_FAILED[^\n]*\n.+attempt 3: delivered\n/);
  expect(stdout).toMatch(/Every expectation held\./);
  // The card-issuing token travels in the URL: it is never printed.
  expect(stdout).not.toContain('card-issuing-dev-token');
});
