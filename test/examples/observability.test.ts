/**
 * The observability example as `npm run example:otel` starts it: a real
 * process with the real OpenTelemetry SDK, a Prometheus endpoint scraped over
 * HTTP, and traces printed by the console exporter.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { buildPay247Notification } from '../../lib/testing';
import { until } from '../helpers/async';
import { freePort } from '../helpers/redis-server';

const SERVER = join(__dirname, '..', '..', 'examples', 'observability', 'server.js');
const SECRET = 'observability-test-key';

let child: ChildProcess | undefined;
afterEach(async () => {
  if (child?.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});

test('notifications appear as spans on the console and as Prometheus series an operator can query', async () => {
  const metricsPort = await freePort();
  child = spawn(process.execPath, [SERVER], { env: { ...process.env, PORT: '0', METRICS_PORT: String(metricsPort), PAY247_KEY: SECRET }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  await until(() => /listening on http/.test(output) && /Prometheus metrics on/.test(output), 20, 20_000);
  const base = /listening on (http:\/\/\S+)/.exec(output)![1];

  const send = (fields: Record<string, string | number>, secret = SECRET) => {
    const n = buildPay247Notification({ secret, fields });
    return fetch(`${base}/notify/pay247`, { method: 'POST', body: n.body, headers: n.headers }).then((r) => r.status);
  };
  expect(await send({ out_order_no: 'A1', status: 2 })).toBe(200);
  expect(await send({ out_order_no: 'A2', status: 2 }, 'a-forger')).toBe(401);
  expect(await send({ out_order_no: 'A7', status: 2 })).toBe(500);

  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const series = (name: string, ...labels: string[]) =>
    metrics.split('\n').find((line) => line.startsWith(`${name}{`) && labels.every((label) => line.includes(label)));
  expect(series('webhook_notifications_total', 'webhook_outcome="handled"', 'webhook_provider="pay247"')).toMatch(/ 1$/);
  expect(series('webhook_notifications_total', 'webhook_outcome="refused"')).toMatch(/ 1$/);
  expect(series('webhook_refusals_total', 'error_type="SIGNATURE_MISMATCH"')).toMatch(/ 1$/);
  expect(series('webhook_refusals_total', 'error_type="HANDLER_FAILED"')).toMatch(/ 1$/);
  expect(series('webhook_handler_duration_count', 'webhook_outcome="error"')).toMatch(/ 1$/);
  expect(series('webhook_handler_duration_bucket', 'le="0.005"')).toBeDefined();

  await until(() => (output.match(/name: 'webhook pay247'/g) ?? []).length === 3, 20, 10_000);
  expect(output).toContain("'webhook.outcome': 'handled'");
  expect(output).not.toContain(SECRET.replace('observability-test-', '') + '"');
}, 60_000);
