/**
 * Pay247's current API: payout and payin notifications of another shape,
 * beside the legacy payout, over real HTTP on Express 5 and 4.
 */
import { createHash } from 'node:crypto';
import { createPay247WebhookMiddleware, type Pay247Event, type Pay247Options, type WebhookError } from '../../lib';
import { buildPay247Notification, encodeForm, signPay247 } from '../../lib/testing';
import { answersTable } from '../helpers/answers-table';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { listen, post, type Running } from '../helpers/server';

const SECRET = 'pay247-current-key';
const JSON_TYPE = { 'content-type': 'application/json' };

/** The documented current-API payout sample, field for field (its own sign is a placeholder). */
const PAYOUT_SAMPLE = {
  mch_id: 'MCH12345678',
  mch_order_no: '47791232007162150200884444',
  order_no: 'MP20200801170409575199514949',
  currency: 'USD',
  amount: '100.11',
  fee: '2.00',
  pay_method: 'BANK',
  status: 'SUCCESS',
  paid_at: 1597124856123,
  error: '',
  receipt: 'https://abc.com/abc.jpg',
};

const { receipt: _receipt, ...PAYIN_SAMPLE } = PAYOUT_SAMPLE;

/** Pay247's reference PHP signer (ksort, every value given, key appended, md5), written apart from lib/signing. */
function referencePhpSign(fields: Record<string, string | number>, secret: string): string {
  const text = Object.keys(fields)
    .filter((k) => k !== 'sign')
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
  return createHash('md5').update(text + secret, 'utf8').digest('hex');
}

/** Its prose's form: non-empty values only. */
function referenceProseSign(fields: Record<string, string | number>, secret: string): string {
  const nonEmpty = Object.fromEntries(Object.entries(fields).filter(([, v]) => String(v) !== ''));
  return referencePhpSign(nonEmpty, secret);
}

for (const notification of ['payout', 'payin'] as const) {
  answersTable({
    provider: 'pay247',
    variant: `current-API ${notification}`,
    stem: 'Pay247',
    options: (options) => ({ secret: SECRET, notification, ...options }),
    notification: () => buildPay247Notification({ secret: SECRET, format: 'current', notification }),
    large: (bytes) => buildPay247Notification({ secret: SECRET, format: 'current', notification, fields: { error: 'x'.repeat(bytes) } }),
    forgeries: [
      ['wrong', (n) => ({ ...n, body: String(n.body).replace('"100.11"', '"900.11"') }), 'SIGNATURE_MISMATCH'],
      ['missing', (n) => ({ ...n, body: String(n.body).replace(/,"sign":"[0-9a-f]+"/, '') }), 'SIGNATURE_MISSING'],
      ['for another secret', () => buildPay247Notification({ secret: 'other-secret', format: 'current', notification }), 'SIGNATURE_MISMATCH'],
    ],
    malformed: [
      ['malformed JSON', 'application/json', '{"order_no": ', 'BODY_MALFORMED'],
      ['a repeated JSON key', 'application/json', '{"status":"FAIL","status":"SUCCESS"}', 'BODY_MALFORMED'],
      ['a nested value', 'application/json', '{"mch_order_no":{"a":1},"sign":"x"}', 'BODY_INVALID'],
      ['a reserved key', 'application/json', '{"__proto__":{"x":1}}', 'BODY_MALFORMED'],
      ['an empty body', 'application/json', '', 'BODY_MALFORMED'],
    ],
    unsupportedTypes: ['text/plain', 'application/json; charset=iso-8859-1'],
    successBody: 'SUCCESS',
    failureBody: 'fail',
  });
}

describe.each(EXPRESS_VERSIONS)('Pay247 current API on $name', (express) => {
  let server: Running | undefined;
  afterEach(async () => server?.close());

  async function start(options: Partial<Pay247Options> = {}) {
    const events: Pay247Event[] = [];
    const errors: WebhookError[] = [];
    const app = express.create();
    app.post('/notify', createPay247WebhookMiddleware({ secret: SECRET, onEvent: (e) => void events.push(e), onError: (e) => void errors.push(e), ...options }));
    server = await listen(app);
    return { events, errors, url: `${server.url}/notify` };
  }

  test('the documented payout sample, signed by the reference PHP (empty error kept): verified, typed, values as sent', async () => {
    const { events, url } = await start();
    const body = JSON.stringify({ ...PAYOUT_SAMPLE, sign: referencePhpSign(PAYOUT_SAMPLE, SECRET) });
    expect(await post(url, body, JSON_TYPE)).toMatchObject({ status: 200, body: 'SUCCESS' });
    const [event] = events;
    expect(event.type).toBe('payout.succeeded');
    expect(event.id).toBe('MP20200801170409575199514949:SUCCESS');
    expect(event.data).toMatchObject({ amount: '100.11', paid_at: 1597124856123, error: '', mch_order_no: '47791232007162150200884444' });
    expect([...event.signedFields].sort()).toEqual(Object.keys(PAYOUT_SAMPLE).sort());
  });

  test('signed as its prose says (empty values dropped): accepted too', async () => {
    const { events, url } = await start();
    const body = JSON.stringify({ ...PAYOUT_SAMPLE, sign: referenceProseSign(PAYOUT_SAMPLE, SECRET) });
    expect((await post(url, body, JSON_TYPE)).status).toBe(200);
    expect(events[0].signedFields).not.toContain('error');
  });

  test.each([
    ['PENDING', 'payout.pending'],
    ['DEALING', 'payout.processing'],
    ['SUCCESS', 'payout.succeeded'],
    ['FAIL', 'payout.failed'],
  ])('payout status %s is %s; each status of one order is its own notification, a repeat is a duplicate', async (status, type) => {
    const { events, url } = await start();
    const n = buildPay247Notification({ secret: SECRET, format: 'current', fields: { order_no: 'MP9', status } });
    expect((await post(url, n.body, n.headers)).status).toBe(200);
    expect((await post(url, n.body, n.headers)).status).toBe(200);
    expect(events.map((e) => [e.type, e.id])).toEqual([[type, `MP9:${status}`]]);
  });

  test.each([
    ['PENDING', 'payin.pending'],
    ['DEALING', 'payin.processing'],
    ['CLOSED', 'payin.closed'],
    ['SUCCESS', 'payin.succeeded'],
    ['FAIL', 'payin.failed'],
    ['REFUND', 'payin.refunded'],
  ])("on a payin route (notification: 'payin'), status %s is %s", async (status, type) => {
    const { events, url } = await start({ notification: 'payin' });
    const body = { ...PAYIN_SAMPLE, status };
    expect((await post(url, JSON.stringify({ ...body, sign: referencePhpSign(body, SECRET) }), JSON_TYPE)).status).toBe(200);
    expect(events.map((e) => [e.type, e.id])).toEqual([[type, `payin:MP20200801170409575199514949:${status}`]]);
  });

  test("a payin route refuses a legacy payout with a 400 that says so; a payout route refuses payin-only statuses", async () => {
    const payin = await start({ notification: 'payin' });
    const legacy = buildPay247Notification({ secret: SECRET });
    expect(await post(payin.url, legacy.body, legacy.headers)).toMatchObject({ status: 400, body: 'fail' });
    expect(payin.errors[0]).toMatchObject({ code: 'BODY_INVALID', message: expect.stringMatching(/payin.*legacy payout/) });
    await server?.close();
    const payout = await start();
    for (const status of ['CLOSED', 'REFUND']) {
      const n = buildPay247Notification({ secret: SECRET, format: 'current', fields: { status } });
      expect((await post(payout.url, n.body, n.headers)).status).toBe(400);
    }
    expect(payout.errors.map((e) => e.message)).toEqual([expect.stringMatching(/PENDING, DEALING, SUCCESS or FAIL/), expect.anything()]);
    expect(payout.events).toHaveLength(0);
  });

  test('the legacy payout still works on a default route, beside the current one', async () => {
    const { events, url } = await start();
    const legacy = buildPay247Notification({ secret: SECRET, fields: { status: 1 } });
    const current = buildPay247Notification({ secret: SECRET, format: 'current', fields: { status: 'DEALING' } });
    expect((await post(url, legacy.body, legacy.headers)).status).toBe(200);
    expect((await post(url, current.body, current.headers)).status).toBe(200);
    expect(events.map((e) => e.type)).toEqual(['payout.processing', 'payout.processing']);
  });

  test.each([
    ['both order-number fields', { out_order_no: 'X1' }, /not both/],
    ['neither order-number field', { mch_order_no: null }, /mch_order_no is missing/],
    ['no currency', { currency: '' }, /currency is missing/],
    ['no order_no', { order_no: null }, /order_no is missing/],
    ['a legacy numeric status', { status: 2 }, /status must be/],
    ['a status in lower case', { status: 'success' }, /status must be/],
    ['a JSON-number amount', { amount: 100.11 }, /amount must be a decimal string/],
    ['a fee that is not a decimal', { fee: '2,00' }, /fee must be a decimal string/],
    ['paid_at that is not milliseconds', { paid_at: '2020-08-11' }, /paid_at/],
    ['paid_at negative', { paid_at: -1 }, /paid_at/],
  ])('correctly signed but %s: 400 BODY_INVALID, never acked', async (_name, fields, message) => {
    const { events, errors, url } = await start();
    const n = buildPay247Notification({ secret: SECRET, format: 'current', fields });
    expect(await post(url, n.body, n.headers)).toMatchObject({ status: 400, body: 'fail' });
    expect(errors[0]).toMatchObject({ code: 'BODY_INVALID', message: expect.stringMatching(message) });
    expect(events).toHaveLength(0);
  });

  test('paid_at may be empty (a pending payout) or digits in a form', async () => {
    const { events, url } = await start();
    const pending = buildPay247Notification({ secret: SECRET, format: 'current', fields: { status: 'PENDING', paid_at: null } });
    expect((await post(url, pending.body, pending.headers)).status).toBe(200);
    const fields = { ...PAYOUT_SAMPLE, paid_at: String(PAYOUT_SAMPLE.paid_at), order_no: 'MP-FORM' };
    const form = encodeForm({ ...fields, sign: referencePhpSign(fields, SECRET) });
    expect((await post(url, form, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(200);
    expect(events.map((e) => e.data.status)).toEqual(['PENDING', 'SUCCESS']);
  });

  test('tampering with any signed field, or signing with another key, is refused', async () => {
    const { url } = await start();
    const n = buildPay247Notification({ secret: SECRET, format: 'current' });
    for (const [from, to] of [['"status":"SUCCESS"', '"status":"FAIL"'], ['"currency":"USD"', '"currency":"EUR"'], ['"error":""', '"error":"x"']]) {
      expect(n.body).toContain(from);
      expect((await post(url, n.body.replace(from, to), n.headers)).status).toBe(401);
    }
    const stranger = buildPay247Notification({ secret: 'stranger', format: 'current' });
    expect((await post(url, stranger.body, stranger.headers)).status).toBe(401);
  });
});

describe('Pay247 current API: configuration and the testing kit', () => {
  test("the documented check vector of the current API's payout sample, both forms, from the kit's signer", () => {
    expect(signPay247(PAYOUT_SAMPLE, 'test-secret')).toBe('3b9a94c42f49f9f6942eee2035efd768');
    expect(signPay247(PAYOUT_SAMPLE, 'test-secret', { keepEmpty: true })).toBe('ee7022d3a7fb54199d41995227967011');
    expect(referencePhpSign(PAYOUT_SAMPLE, 'test-secret')).toBe('ee7022d3a7fb54199d41995227967011');
  });

  test("notification must be 'payout' or 'payin'", () => {
    expect(() => createPay247WebhookMiddleware({ secret: SECRET, onEvent: () => undefined, notification: 'payins' as never })).toThrow(/notification/);
  });

  test('the kit builds the three shapes, each signed as the reference PHP signs it when asked to keep empty values', () => {
    for (const [format, notification, marker] of [
      ['json', 'payout', 'out_order_no'],
      ['current', 'payout', 'receipt'],
      ['current', 'payin', 'paid_at'],
    ] as const) {
      const n = buildPay247Notification({ secret: SECRET, format, notification, keepEmpty: true });
      const { sign, ...fields } = n.fields as Record<string, string | number>;
      expect(sign).toBe(referencePhpSign(fields, SECRET));
      expect(fields).toHaveProperty(marker);
    }
    expect(buildPay247Notification({ secret: SECRET, notification: 'payin' }).fields).not.toHaveProperty('receipt');
    expect(() => buildPay247Notification({ secret: SECRET, format: 'form', notification: 'payin' })).toThrow(/current/);
  });
});
