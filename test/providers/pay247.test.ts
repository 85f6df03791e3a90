import { createHash } from 'node:crypto';
import { createPay247WebhookMiddleware, type Pay247Event, type Pay247Payout } from '../../lib';
import { buildPay247Notification, encodeForm, signPay247 } from '../../lib/testing';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { post } from '../helpers/server';
import { webhookApps } from '../helpers/webhook-app';

const SECRET = 'pay247-merchant-key';

/** the documented v2.0 sample, field for field (its own sign is a placeholder). */
const SEED_SAMPLE = {
  mch_id: '12345678',
  order_no: 'MP20200801170409575199514949',
  out_order_no: '47791232007162150200884444',
  bank_name: '中国农业银行',
  bank_code: 'ABC',
  bank_branch: '深圳支行',
  account_name: '胡歌',
  account_no: '622848998832432432',
  amount: '100.0000',
  fee: '2.00',
  receipt: 'http://abc.com/abc.jpg',
  status: 2,
  resolved_timestamp: 1597124856,
  created_timestamp: 1597124856,
  remarks: '',
};

/** Written from the documented rule, independently of lib/signing. */
function referenceSign(fields: Record<string, string | number>, secret: string, keepEmpty = false): string {
  const text = Object.keys(fields)
    .filter((k) => k !== 'sign' && (keepEmpty || String(fields[k]) !== ''))
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
  return createHash('md5').update(text + secret, 'utf8').digest('hex');
}

describe.each(EXPRESS_VERSIONS)('Pay247 on $name', (express) => {
  const startApp = webhookApps();

  async function start(options: Partial<Parameters<typeof createPay247WebhookMiddleware>[0]> = {}) {
    return startApp<Pay247Event>((r) => createPay247WebhookMiddleware({ secret: SECRET, ...r.options, ...options }), { express });
  }

  test('the documented sample as v2.0 JSON, signed by the reference rule: verified, typed, values as sent', async () => {
    const { events, url } = await start();
    const body = JSON.stringify({ ...SEED_SAMPLE, sign: referenceSign(SEED_SAMPLE, SECRET) });
    expect(await post(url, body, { 'content-type': 'application/json' })).toMatchObject({ status: 200, body: 'SUCCESS' });
    const [event] = events;
    expect(event.type).toBe('payout.succeeded');
    expect(event.id).toBe('MP20200801170409575199514949:2');
    expect(event.data.amount).toBe('100.0000');
    expect(event.data.status).toBe(2);
    expect((event.data as Pay247Payout).account_name).toBe('胡歌');
    expect([...event.signedFields].sort()).toEqual(Object.keys(SEED_SAMPLE).filter((k) => k !== 'remarks').sort());
    expect(Object.getPrototypeOf(event.data)).toBeNull();
  });

  test('the documented sample as a v1.0 form: same type and id, values stay strings', async () => {
    const { events, url } = await start();
    const fields = Object.fromEntries(Object.entries(SEED_SAMPLE).map(([k, v]) => [k, String(v)]));
    const body = encodeForm({ ...fields, sign: referenceSign(fields, SECRET) });
    expect((await post(url, body, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(200);
    expect(events[0].type).toBe('payout.succeeded');
    expect(events[0].id).toBe('MP20200801170409575199514949:2');
    expect(events[0].data.status).toBe('2');
    expect((events[0].data as Pay247Payout).resolved_timestamp).toBe('1597124856');
  });

  test('JSON and form of the same payout status are one notification', async () => {
    const { events, url } = await start();
    const fields = Object.fromEntries(Object.entries(SEED_SAMPLE).map(([k, v]) => [k, String(v)]));
    await post(url, encodeForm({ ...fields, sign: referenceSign(fields, SECRET) }), { 'content-type': 'application/x-www-form-urlencoded' });
    await post(url, JSON.stringify({ ...SEED_SAMPLE, sign: referenceSign(SEED_SAMPLE, SECRET) }), { 'content-type': 'application/json' });
    expect(events).toHaveLength(1);
  });

  test('a signature that also covers empty values (keep-empty variant) is accepted; signedFields says so', async () => {
    const { events, url } = await start();
    const body = JSON.stringify({ ...SEED_SAMPLE, sign: referenceSign(SEED_SAMPLE, SECRET, true) });
    expect((await post(url, body, { 'content-type': 'application/json' })).status).toBe(200);
    expect(events[0].signedFields).toContain('remarks');
  });

  test('an upper-case hex signature is accepted', async () => {
    const { url } = await start();
    const body = JSON.stringify({ ...SEED_SAMPLE, sign: referenceSign(SEED_SAMPLE, SECRET).toUpperCase() });
    expect((await post(url, body, { 'content-type': 'application/json' })).status).toBe(200);
  });

  test('key rotation: any of several secrets may match; others are refused', async () => {
    const { url } = await start({ secret: ['new-key', SECRET] });
    const old = buildPay247Notification({ secret: SECRET });
    const fresh = buildPay247Notification({ secret: 'new-key' });
    const stranger = buildPay247Notification({ secret: 'stranger' });
    expect((await post(url, old.body, old.headers)).status).toBe(200);
    expect((await post(url, fresh.body, fresh.headers)).status).toBe(200);
    expect((await post(url, stranger.body, stranger.headers)).status).toBe(401);
  });

  test.each([
    [0, 'payout.pending'],
    [1, 'payout.processing'],
    [2, 'payout.succeeded'],
    [3, 'payout.failed'],
  ])('status %s is typed %s, and each status of one order is its own notification', async (status, type) => {
    const { events, url } = await start();
    const n = buildPay247Notification({ secret: SECRET, fields: { order_no: 'MP1', status } });
    expect((await post(url, n.body, n.headers)).status).toBe(200);
    expect(events[0].type).toBe(type);
    expect(events[0].id).toBe(`MP1:${status}`);
  });

  test('an unknown status or a missing order_no, even correctly signed, is a 400', async () => {
    const { events, url } = await start();
    const badStatus = buildPay247Notification({ secret: SECRET, fields: { status: 7 } });
    const noOrder = buildPay247Notification({ secret: SECRET, fields: { order_no: null } });
    expect((await post(url, badStatus.body, badStatus.headers)).status).toBe(400);
    expect((await post(url, noOrder.body, noOrder.headers)).status).toBe(400);
    expect(events).toHaveLength(0);
  });

  test('tampering with any signed field is refused', async () => {
    const { url } = await start();
    const n = buildPay247Notification({ secret: SECRET });
    for (const [from, to] of [['"status":2', '"status":3'], ['"fee":"2.00"', '"fee":"0.00"'], ['"mch_id":"12345678"', '"mch_id":"12345679"']]) {
      expect((await post(url, n.body.replace(from, to), n.headers)).status).toBe(401);
    }
    const added = n.body.replace('{', '{"extra":"x",');
    expect((await post(url, added, n.headers)).status).toBe(401);
  });

  test("successBody: 'success' answers in lower case", async () => {
    const { url } = await start({ successBody: 'success' });
    const n = buildPay247Notification({ secret: SECRET });
    expect(await post(url, n.body, n.headers)).toMatchObject({ status: 200, body: 'success' });
  });
});

describe('Pay247 configuration and the testing kit', () => {
  test('missing or empty secrets are refused at startup', () => {
    const onEvent = () => undefined;
    expect(() => createPay247WebhookMiddleware({ secret: '', onEvent })).toThrow(/secret/);
    expect(() => createPay247WebhookMiddleware({ secret: [], onEvent })).toThrow(/secret/);
    expect(() => createPay247WebhookMiddleware({ secret: 'k' } as never)).toThrow(/onEvent/);
    expect(() => createPay247WebhookMiddleware({ secret: 'k', onEvent, allowIps: ['not-an-ip'] })).toThrow(/allowIps/);
    expect(() => createPay247WebhookMiddleware({ secret: 'k', onEvent, handlerTimeoutMs: -1 })).toThrow(/handlerTimeoutMs/);
  });

  test('signPay247 agrees with the reference rule, both variants', () => {
    expect(signPay247(SEED_SAMPLE, SECRET)).toBe(referenceSign(SEED_SAMPLE, SECRET));
    expect(signPay247(SEED_SAMPLE, SECRET, { keepEmpty: true })).toBe(referenceSign(SEED_SAMPLE, SECRET, true));
    expect(signPay247(SEED_SAMPLE, SECRET)).not.toBe(referenceSign(SEED_SAMPLE, SECRET, true));
  });
});
