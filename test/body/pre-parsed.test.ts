/**
 * A merchant's global body parsers, with each Express version's defaults, run
 * before the webhook route: Express 4's `express.urlencoded()` is extended
 * (qs: `ext[id]=1` becomes {ext: {id: "1"}}), Express 5's is not. The same app
 * code must get the same answers on both: genuine notifications pass, and a
 * bracketed or repeated name (which no provider sends) is the same 400 as
 * when the middleware reads the body itself.
 */
import { createCryptoGatewayWebhookMiddleware, createPay247WebhookMiddleware, type WebhookError } from '../../lib';
import { buildPay247Notification, signCryptoGateway, signPay247 } from '../../lib/testing';
import { sampleCryptoGatewayFields } from '../../lib/testing/crypto-gateway';
import { encodeForm } from '../../lib/testing/notification';
import { samplePay247Fields } from '../../lib/testing/pay247';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { listen, post, type Running } from '../helpers/server';

const SECRET = 'pre-parsed-secret';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A signed Pay247 form whose extra fields are written raw (bracket names stay as typed). */
function pay247FormWith(extra: string, extraFields: Record<string, string>): string {
  const fields = { ...samplePay247Fields(), ...extraFields };
  return `${extra}&${encodeForm({ ...samplePay247Fields(), sign: signPay247(fields, SECRET) })}`;
}

type Answer = { status: number; body: string; codes: string[]; events: number };

describe('global parsers with each version\'s defaults: the same answers on Express 5 and 4', () => {
  const servers: Running[] = [];
  const urls: string[] = [];
  const codes: string[][] = [];
  const events: unknown[][] = [];

  beforeAll(async () => {
    for (const [i, express] of EXPRESS_VERSIONS.entries()) {
      codes[i] = [];
      events[i] = [];
      const hooks = { onEvent: (e: unknown) => void events[i].push(e), onError: (e: WebhookError) => void codes[i].push(e.code) };
      const app = express.create();
      app.use(express.json());
      app.use(express.urlencoded());
      app.post('/pay247', createPay247WebhookMiddleware({ secret: SECRET, ...hooks }));
      app.post('/crypto', createCryptoGatewayWebhookMiddleware({ secret: SECRET, ...hooks }));
      const server = await listen(app);
      servers.push(server);
      urls.push(server.url);
    }
  });
  afterAll(() => Promise.all(servers.map((s) => s.close())));

  async function answers(path: string, body: string, headers: Record<string, string>): Promise<Answer[]> {
    const out: Answer[] = [];
    for (let i = 0; i < urls.length; i++) {
      codes[i].length = 0;
      events[i].length = 0;
      const reply = await post(`${urls[i]}${path}`, body, headers);
      out.push({ status: reply.status, body: reply.body, codes: [...codes[i]], events: events[i].length });
    }
    return out;
  }

  test('a genuine form and a genuine JSON notification pass on both', async () => {
    const form = buildPay247Notification({ secret: SECRET, format: 'form' });
    const json = buildPay247Notification({ secret: SECRET, format: 'json' });
    const crypto = sampleCryptoGatewayFields('transfer');
    for (const result of [
      await answers('/pay247', form.body, form.headers),
      await answers('/pay247', json.body, json.headers),
      await answers('/crypto', encodeForm(crypto), { ...FORM, sign: signCryptoGateway(crypto, SECRET) }),
    ]) {
      expect(result).toEqual([
        { status: 200, body: expect.any(String), codes: [], events: 1 },
        { status: 200, body: expect.any(String), codes: [], events: 1 },
      ]);
    }
  });

  test.each([
    ['a bracketed name, signed (ext[id])', 'ext[id]=1', { 'ext[id]': '1' }],
    ['an empty-bracket name, repeated (a[]=1&a[]=2)', 'a[]=1&a[]=2', {}],
    ['a nested name (a[b][c])', 'a[b][c]=1', { 'a[b][c]': '1' }],
    ['a bracketed name, percent-encoded (a%5Bb%5D)', 'a%5Bb%5D=1', { 'a[b]': '1' }],
  ])('%s: 400 BODY_INVALID on both, nothing delivered', async (_name, extra, extraFields) => {
    const result = await answers('/pay247', pay247FormWith(extra, extraFields), FORM);
    const refused = { status: 400, body: 'fail', codes: ['BODY_INVALID'], events: 0 };
    expect(result).toEqual([refused, refused]);
  });

  test('a repeated plain name: 400 on both', async () => {
    const result = await answers('/pay247', pay247FormWith('dup=1&dup=2', {}), FORM);
    expect(result.map((r) => [r.status, r.events])).toEqual([
      [400, 0],
      [400, 0],
    ]);
  });

  test('a lone surrogate in JSON that a global express.json() parsed: 400 BODY_MALFORMED on both, though it signs like U+FFFD', async () => {
    const fields = { ...samplePay247Fields(), account_name: '\ufffd' };
    const sign = signPay247({ ...fields, account_name: '\ud800' }, SECRET);
    expect(sign).toBe(signPay247(fields, SECRET));
    const body = JSON.stringify({ ...fields, sign }).replace('"\ufffd"', '"\\ud800"');
    const refused = { status: 400, body: 'fail', codes: ['BODY_MALFORMED'], events: 0 };
    expect(await answers('/pay247', body, { 'content-type': 'application/json' })).toEqual([refused, refused]);
  });
});
