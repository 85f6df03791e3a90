/**
 * `simulate --help` examples work where merchants run them: in their own
 * project, not this repository. Each `$ …` line of the help is run as
 * written, in an empty directory standing for that project (`npx
 * express-payment-webhooks` being the installed bin), against an app with
 * the routes and environment the examples name.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCardIssuingWebhookMiddleware,
  createCryptoGatewayWebhookMiddleware,
  createPay247WebhookMiddleware,
  createPingPongKybWebhookMiddleware,
  createSgateWebhookMiddleware,
} from '../../lib';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { listen, type Running } from '../helpers/server';

const BIN = join(__dirname, '..', '..', 'dist', 'cli', 'index.js');
const project = mkdtempSync(join(tmpdir(), 'epw-consumer-'));
const ENV = {
  PAY247_KEY: 'consumer-pay247-key',
  CARD_ISSUING_TOKEN: 'consumer-card-token-0123456789',
  PINGPONG_SALT: 'consumer-pingpong-salt',
  CRYPTO_GATEWAY_KEY: 'consumer-crypto-key',
  SGATE_API_KEY: 'consumer-sgate-api-key',
};

let app: Running | undefined;
afterAll(async () => {
  await app?.close();
  rmSync(project, { recursive: true, force: true });
});

function shell(line: string): Promise<{ code: number; stdout: string; stderr: string }> {
  // `npx express-payment-webhooks` resolves to the package's bin; here, the one just built.
  const command = line.replaceAll('npx express-payment-webhooks', `"${process.execPath}" "${BIN}"`);
  return new Promise((resolve) => {
    const { EPW_SECRET: _ignored, ...inherited } = process.env;
    execFile('bash', ['-c', command], { cwd: project, env: { ...inherited, ...ENV } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('every example of simulate --help runs as written in a project of its own, and is acknowledged', async () => {
  const help = await shell('npx express-payment-webhooks simulate --help');
  expect(help.code).toBe(0);
  const lines = help.stdout.split('\n').filter((line) => line.startsWith('  $ ')).map((line) => line.slice(4));
  const simulations = lines.filter((line) => line.includes('express-payment-webhooks simulate'));
  const setup = lines.filter((line) => !simulations.includes(line));
  expect(simulations.length).toBeGreaterThanOrEqual(5);
  for (const line of setup) expect(await shell(line)).toMatchObject({ code: 0 });

  // The app the examples talk to: the routes they name, the secrets from the environment, SGATE's test public key.
  const express = EXPRESS_VERSIONS[0].create();
  const onEvent = () => undefined;
  express.post('/notify/pay247', createPay247WebhookMiddleware({ secret: ENV.PAY247_KEY, logger: false, onEvent }));
  express.post('/notify/card-issuing', createCardIssuingWebhookMiddleware({ secret: ENV.CARD_ISSUING_TOKEN, logger: false, onEvent }));
  express.post('/notify/pingpong-kyb', createPingPongKybWebhookMiddleware({ secret: ENV.PINGPONG_SALT, acceptUnsignedStatus: true, logger: false, onEvent }));
  express.post('/notify/crypto', createCryptoGatewayWebhookMiddleware({ secret: ENV.CRYPTO_GATEWAY_KEY, logger: false, onEvent }));
  express.post(
    '/notify/sgate',
    createSgateWebhookMiddleware({ publicKey: readFileSync(join(project, 'sgate-test-key.pub.pem'), 'utf8'), apiKey: ENV.SGATE_API_KEY, logger: false, onEvent }),
  );
  app = await listen(express);

  for (const line of simulations) {
    const run = await shell(line.replaceAll('http://127.0.0.1:3000', app.url));
    expect({ line, code: run.code, stderr: run.stderr }).toEqual({ line, code: 0, stderr: '' });
    expect(run.stdout).toMatch(/\nacknowledged after 1 attempt\n$|summary: .*acknowledged (\d+) of \1 /);
  }
});
