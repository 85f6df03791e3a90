/**
 * The example merchant app's SGATE and card-issuing routes work as the README
 * says, with the development SGATE key pair it generates when none is set.
 * (The example requires the built package: `npm test` builds first.)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCardIssuingNotification, buildSgateNotification, cardIssuingCallbackUrl } from '../../lib/testing';
import { listen, post, type Running } from '../helpers/server';
import { recordingLogger, type LogLine } from '../helpers/webhook-app';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createApp } = require('../../examples/merchant-server/app');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { sgateSecrets } = require('../../examples/merchant-server/sgate-dev-keys');

const CARD_TOKEN = 'card-issuing-test-token-0123456789';

let server: Running;
const lines: string[] = [];
/** The package's own lines (refusals): no card data or token in them either. */
const packageLines: LogLine[] = [];
let sgate: { apiKey: string; devPrivateKeyFile: string };
let devKeys: string;

beforeAll(async () => {
  delete process.env.SGATE_PUBLIC_KEY;
  devKeys = mkdtempSync(join(tmpdir(), 'epw-dev-keys-'));
  sgate = sgateSecrets((line: string) => lines.push(line), devKeys);
  const { app } = createApp({ secrets: { pay247: 'pay247-test-key', sgate, cardIssuing: CARD_TOKEN, pingpongKyb: 'pingpong-test-salt', cryptoGateway: 'crypto-test-key' }, log: (line: string) => lines.push(line), logger: recordingLogger(packageLines) });
  server = await listen(app);
});
afterAll(async () => {
  await server.close();
  rmSync(devKeys, { recursive: true, force: true });
});

test('without SGATE_PUBLIC_KEY a development key pair is generated in the given directory, and it says so', () => {
  expect(lines.join('\n')).toMatch(/SGATE_PUBLIC_KEY is not set: using the DEVELOPMENT key pair in .*sgate-system-private-key\.pem \(generated now\)/);
  expect(readFileSync(sgate.devPrivateKeyFile, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
});

test('SGATE: a payout signed with the development key is handled', async () => {
  const n = buildSgateNotification({ privateKey: readFileSync(sgate.devPrivateKeyFile, 'utf8'), apiKey: sgate.apiKey, url: '/notify/sgate', event: 'SALARY_STATUS_CHANGE' });
  expect(await post(`${server.url}/notify/sgate`, n.body, n.headers)).toMatchObject({ status: 200 });
  const orders = await (await fetch(`${server.url}/orders`)).json();
  expect(orders).toContainEqual(expect.objectContaining({ id: `sgate-${(n.fields as any).data.ticketid}`, state: 'sgate-status-2' }));
});

test('card-issuing: the token in the registered URL is required, and the log holds no card data', async () => {
  const n = buildCardIssuingNotification({ event: 'card.status.freeze', data: { card_no: '4111222233334444', cvv: '321' } });
  expect((await post(cardIssuingCallbackUrl(`${server.url}/notify/card-issuing`, CARD_TOKEN), n.body, n.headers)).status).toBe(200);
  expect((await post(`${server.url}/notify/card-issuing?token=wrong`, n.body, n.headers)).status).toBe(401);
  const log = [...lines, ...packageLines.map((l) => l.line)].join('\n');
  expect(log).toMatch(/card-issuing: card.status.freeze for card cid_/);
  expect(log).toMatch(/express-payment-webhooks \(card-issuing\) SIGNATURE_MISMATCH status=401/);
  expect(log).not.toContain('4111222233334444');
  expect(log).not.toContain(CARD_TOKEN);
});
