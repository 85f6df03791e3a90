/**
 * examples/servers: each server's example (node:http, Next.js route, Hono,
 * Fastify, Koa) run for real: a signed notification is handled and acked, a
 * forged one refused, a redelivery acked without running again, a current-API
 * payout settles its order too. The same
 * files are in docs/servers.md verbatim (test/docs/servers.test.ts).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const RUNNER = join(__dirname, 'servers-run.mjs');
const EXAMPLES = ['node-http.js', 'fastify.js', 'koa.js', 'hono.mjs', 'nextjs-route.mjs'];

let results: Record<string, { handled: unknown; forged: unknown; again: unknown; handledCurrent: unknown; paid: boolean }> = {};

beforeAll(async () => {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [RUNNER], { env: { ...process.env, PAY247_SECRET: 'example-secret' }, timeout: 30_000 }, (error, out, err) =>
      error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
    );
  });
  results = Object.fromEntries(stdout.trim().split('\n').map((line) => [JSON.parse(line).name, JSON.parse(line)]));
}, 40_000);

test.each(EXAMPLES)('examples/servers/%s: handled once, acked, forgeries refused', (name) => {
  expect(results[name]).toEqual({
    name,
    handled: { status: 200, body: 'SUCCESS' },
    forged: { status: 401, body: 'fail' },
    again: { status: 200, body: 'SUCCESS' },
    handledCurrent: { status: 200, body: 'SUCCESS' },
    paid: true,
  });
});
