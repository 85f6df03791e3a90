/**
 * Field smuggling in sorted `k=v&` signature schemes: nothing escapes '&' or
 * '=' in names or values, so one genuine notification whose value holds
 * "&status=2&…" could lend its signature to another reading of the same
 * string. End to end, over real HTTP, on Express 5 and 4, JSON and form.
 * (The property over random field sets: test/signing/one-reading.test.ts.)
 */
import { createCryptoGatewayWebhookMiddleware, createPay247WebhookMiddleware } from '../../lib';
import { signCryptoGateway, signPay247 } from '../../lib/testing';
import { sampleCryptoGatewayFields } from '../../lib/testing/crypto-gateway';
import { encodeForm } from '../../lib/testing/notification';
import { samplePay247Fields } from '../../lib/testing/pay247';
import { sortedFieldString } from '../../lib/signing/sorted-fields';
import type { FlatFields } from '../../lib/body/fields';
import { listen, post, type Running } from '../helpers/server';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';

const SECRET = 'smuggling-secret';
const TYPES = { json: 'application/json', form: 'application/x-www-form-urlencoded' } as const;
type Format = keyof typeof TYPES;

function encode(format: Format, fields: Record<string, string | number>): string {
  return format === 'json' ? JSON.stringify(fields) : encodeForm(fields);
}

/**
 * The reported attack: a payee name that spells a succeeded payout for
 * another order, in a genuine failed payout. Re-split, its signed string reads
 * as that succeeded payout plus one key that swallows the genuine rest.
 */
function pay247Forgery(): { genuine: Record<string, string | number>; forged: Record<string, string | number> } {
  const real = { ...samplePay247Fields(), status: 3, remarks: 'account closed' } as Record<string, string | number>;
  const fake = { amount: '99999.0000', mch_id: String(real.mch_id), order_no: 'PO-VICTIM', out_order_no: 'VICTIM', status: '2' };
  const smuggled = Object.entries(fake).map(([k, v]) => `&${k}=${v}`).join('');
  const genuine: Record<string, string | number> = { ...real, account_name: `Bob${smuggled}&zz=` };
  genuine.sign = signPay247(genuine, SECRET);
  // The genuine string after "…&zz=" is "&account_no=…&status=3": one key "zz=&account_no=…&status" with the value "3".
  const rest = sortedFieldString(real as FlatFields, { exclude: new Set(['sign', 'account_name']), skipEmpty: true }).text;
  const swallow = `zz=&${rest.slice(0, rest.lastIndexOf('='))}`;
  const forged = { account_name: 'Bob', ...fake, [swallow]: rest.slice(rest.lastIndexOf('=') + 1), sign: genuine.sign };
  return { genuine, forged };
}

describe.each(EXPRESS_VERSIONS)('$name', (express) => {
  let server: Running;
  let base: string;
  const events: Array<{ type: string; data: Record<string, unknown> }> = [];
  const codes: string[] = [];

  beforeAll(async () => {
    const app = express.create();
    const hooks = { onEvent: (e: unknown) => void events.push(e as never), onError: (e: { code: string }) => void codes.push(e.code) };
    app.post('/pay247', createPay247WebhookMiddleware({ secret: SECRET, ...hooks }));
    app.post('/crypto', createCryptoGatewayWebhookMiddleware({ secret: SECRET, ...hooks }));
    // What a merchant mounts in front of other routes, with this version's defaults.
    app.post('/pay247-after-parsers', express.json(), express.urlencoded(), createPay247WebhookMiddleware({ secret: SECRET, ...hooks }));
    server = await listen(app);
    base = server.url;
  });
  afterAll(() => server.close());
  beforeEach(() => {
    events.length = 0;
    codes.length = 0;
  });

  describe.each(['json', 'form'] as const)('Pay247 (%s)', (format) => {
    const send = (path: string, fields: Record<string, string | number>) => post(`${base}${path}`, encode(format, fields), { 'content-type': TYPES[format] });

    test.each(['/pay247', '/pay247-after-parsers'])('the reported forgery (a key holding "=" and "&") signs alike and is refused, 400 BODY_INVALID (%s)', async (path) => {
      const { forged } = pay247Forgery();
      const { sign, ...unsigned } = forged;
      expect(signPay247(unsigned, SECRET)).toBe(sign);
      const reply = await send(path, forged);
      expect(reply.status).toBe(400);
      expect(reply.body).toBe('fail');
      expect(codes).toEqual(['BODY_INVALID']);
      expect(events).toHaveLength(0);
    });

    test('the genuine notification it came from is refused too: its payee name reads as other fields (401 SIGNATURE_AMBIGUOUS)', async () => {
      const reply = await send('/pay247', pay247Forgery().genuine);
      expect(reply.status).toBe(401);
      expect(codes).toEqual(['SIGNATURE_AMBIGUOUS']);
      expect(events).toHaveLength(0);
    });

    test('a value holding "&<any word>=" sorting after its field is refused, not only a documented name: a receipt URL with a later query parameter', async () => {
      const fields = { ...samplePay247Fields(), receipt: 'https://cdn.example/r.jpg?w=200&x=100' };
      const reply = await send('/pay247', { ...fields, sign: signPay247(fields, SECRET) });
      expect(reply.status).toBe(401);
      expect(codes).toEqual(['SIGNATURE_AMBIGUOUS']);
    });

    test('a value holding "&<word>=" sorting before its field has no second reading (the split would be out of order): accepted', async () => {
      const fields = { ...samplePay247Fields(), receipt: 'https://cdn.example/r.jpg?w=200&h=100' };
      const reply = await send('/pay247', { ...fields, sign: signPay247(fields, SECRET) });
      expect(reply.status).toBe(200);
      expect(events[0].data.receipt).toBe('https://cdn.example/r.jpg?w=200&h=100');
    });

    test("'&' and '=' that cannot start a field stay accepted: a receipt URL with one query parameter, a payee 'A & B = C'", async () => {
      const fields = { ...samplePay247Fields(), receipt: 'https://cdn.example/r.jpg?w=200', account_name: 'A & B = C' };
      const reply = await send('/pay247', { ...fields, sign: signPay247(fields, SECRET) });
      expect(reply.status).toBe(200);
      expect(events[0].data.receipt).toBe('https://cdn.example/r.jpg?w=200');
      expect(events[0].data.account_name).toBe('A & B = C');
    });

    test('merging two fields into one value (dropping a field) is refused', async () => {
      const genuine = samplePay247Fields() as Record<string, string | number>;
      const sign = signPay247(genuine, SECRET);
      const merged: Record<string, string | number> = { ...genuine, account_name: `${genuine.account_name}&account_no=${genuine.account_no}`, sign };
      delete merged.account_no;
      expect(signPay247(merged, SECRET)).toBe(sign);
      expect((await send('/pay247', merged)).status).toBe(401);
      expect(codes).toEqual(['SIGNATURE_AMBIGUOUS']);
      expect(events).toHaveLength(0);
    });
  });

  describe.each(['json', 'form'] as const)('crypto gateway (%s)', (format) => {
    test('two signed fields merged into one key ("symbol=FIL&timestamp") sign alike and are refused, 400 BODY_INVALID', async () => {
      const genuine = sampleCryptoGatewayFields('recharge');
      const sign = signCryptoGateway(genuine, SECRET);
      const merged: Record<string, string> = { ...genuine, [`symbol=${genuine.symbol}&timestamp`]: genuine.timestamp };
      delete merged.symbol;
      delete merged.timestamp;
      expect(signCryptoGateway(merged, SECRET)).toBe(sign);
      const reply = await post(`${base}/crypto`, encode(format, merged), { 'content-type': TYPES[format], sign });
      expect(reply.status).toBe(400);
      expect(codes).toEqual(['BODY_INVALID']);
      expect(events).toHaveLength(0);
      // The genuine one still passes.
      expect((await post(`${base}/crypto`, encode(format, genuine), { 'content-type': TYPES[format], sign })).status).toBe(200);
    });
  });
});
