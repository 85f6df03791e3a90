import { createHash } from 'node:crypto';
import { createPingPongKybWebhookMiddleware, PINGPONG_SENDER_IPS, type PingPongKybEvent, type PingPongKybOptions } from '../../lib';
import { buildPingPongKybNotification, signPingPongKyb } from '../../lib/testing';
import { answersTable, type Sendable } from '../helpers/answers-table';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { webhookApps } from '../helpers/webhook-app';
import { post } from '../helpers/server';
import { PINGPONG_KYC_SAMPLE, PINGPONG_STORE_SAMPLE } from '../fixtures/provider-samples';

const SALT = 'pingpong-test-salt';
const JSON_TYPE = { 'content-type': 'application/json' };

/** The signature computed here, from a canonical string written out by hand: not the library's code. */
const md5Upper = (text: string) => createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();

/** Puts a sign field first in a JSON object text, leaving the rest byte for byte. */
const withSign = (json: string, sign: string) => json.replace(/^\{/, `{"sign":"${sign}",`);

const replaceSign = (n: Sendable, sign: string) => ({ ...n, body: String(n.body).replace(/"sign":"[0-9A-F]+"/, `"sign":"${sign}"`) });

answersTable({
  provider: 'pingpong-kyb',
  stem: 'PingPongKyb',
  options: (options) => ({ secret: SALT, acceptUnsignedStatus: true, ...options }),
  notification: () => buildPingPongKybNotification({ secret: SALT }),
  large: (bytes) => buildPingPongKybNotification({ secret: SALT, fields: { comment: 'x'.repeat(bytes) } }),
  forgeries: [
    ['wrong: a signed field changed', (n) => ({ ...n, body: String(n.body).replace('"institutionId":"2022070222130610237"', '"institutionId":"2022070222130610238"') }), 'SIGNATURE_MISMATCH'],
    ['wrong: not hex at all', (n) => replaceSign(n, 'not-a-signature'), 'SIGNATURE_MISMATCH'],
    ['missing', (n) => ({ ...n, body: String(n.body).replace(/,"sign":"[0-9A-F]+"/, '') }), 'SIGNATURE_MISSING'],
    ['for another salt', () => buildPingPongKybNotification({ secret: 'another-salt' }), 'SIGNATURE_MISMATCH'],
  ],
  malformed: [
    ['malformed JSON', 'application/json', '{"bizId": ', 'BODY_MALFORMED'],
    ['a JSON array', 'application/json', '[1,2]', 'BODY_INVALID'],
    ['a repeated JSON key', 'application/json', '{"status":"PASS","status":"FAILED","sign":"x"}', 'BODY_MALFORMED'],
    ['a reserved key', 'application/json', '{"__proto__":{"x":1},"sign":"x"}', 'BODY_MALFORMED'],
    ['a signed field that is an object', 'application/json', '{"bizId":{"a":1},"sign":"x"}', 'BODY_INVALID'],
    ['an empty body', 'application/json', '', 'BODY_MALFORMED'],
  ],
  unsupportedTypes: ['application/x-www-form-urlencoded', 'application/xml', 'text/plain'],
  successBody: '',
  failureBody: 'FAIL',
});

describe.each(EXPRESS_VERSIONS)('PingPong KYB on $name', (express) => {
  const startApp = webhookApps();

  async function start(options: Partial<PingPongKybOptions> = {}, setup?: (app: any) => void) {
    return startApp<PingPongKybEvent>((r) => createPingPongKybWebhookMiddleware({ secret: SALT, acceptUnsignedStatus: true, ...r.options, ...options }), {
      express,
      path: '/notify/pingpong',
      setup,
    });
  }

  describe('the documented samples, signed independently', () => {
    test('KYB review (no signType in the sample): the four present fields are signed; 200 with an empty body', async () => {
      const { events, url } = await start();
      const sign = md5Upper(
        `${SALT}bizId=SM2022071120365810274&bizType=SM_KYC_REVIEW&institutionId=2022070222130610237&subClientId=SM2022071120365810274`,
      );
      const reply = await post(url, withSign(PINGPONG_KYC_SAMPLE, sign), JSON_TYPE);
      expect(reply).toMatchObject({ status: 200, body: '' });
      expect(events).toHaveLength(1);
      const [event] = events;
      expect(event.signedFields).toEqual(['bizId', 'bizType', 'institutionId', 'subClientId']);
      if (event.type !== 'SM_KYC_REVIEW') throw new Error(`type ${event.type}`);
      expect(event.data.status).toBe('MODIFY');
      const people = event.data.reviewDetail?.personReviewResult ?? [];
      expect(people.map((p) => p.customerType ?? p.customerTye)).toEqual([1, 2, 3]);
      expect(people[0].customerId).toBe(749);
      expect(event.data.reviewDetail?.additionalInfo?.needAdditionalInfos).toHaveLength(3);
      expect(event.id).toMatch(/^SM_KYC_REVIEW:SM2022071120365810274:MODIFY:[0-9a-f]{32}$/);
    });

    test('KYB review with signType MD5: exactly the five fields are signed, in sorted order', async () => {
      const { events, url } = await start();
      const body = PINGPONG_KYC_SAMPLE.replace('"status":"MODIFY",', '"status":"MODIFY",\n  "signType":"MD5",');
      const sign = md5Upper(
        `${SALT}bizId=SM2022071120365810274&bizType=SM_KYC_REVIEW&institutionId=2022070222130610237&signType=MD5&subClientId=SM2022071120365810274`,
      );
      expect((await post(url, withSign(body, sign), JSON_TYPE)).status).toBe(200);
      expect(events[0].signedFields).toEqual(['bizId', 'bizType', 'institutionId', 'signType', 'subClientId']);
    });

    test('store review: verified with our salt; the sample as printed (another salt) is refused', async () => {
      const { events, errors, url } = await start();
      expect((await post(url, PINGPONG_STORE_SAMPLE, JSON_TYPE)).status).toBe(401);
      const sign = md5Upper(
        `${SALT}bizId=2022070222130610237524&bizType=SM_STORE_REVIEW&institutionId=2022070222130610237&signType=MD5&subClientId=SM2022071120365810274`,
      );
      const body = PINGPONG_STORE_SAMPLE.replace('90A2F1E468B9E7873CF799954FC0F271', sign);
      expect(await post(url, body, JSON_TYPE)).toMatchObject({ status: 200, body: '' });
      expect(errors.map((e) => e.code)).toEqual(['SIGNATURE_MISMATCH']);
      expect(events).toHaveLength(1);
      const [event] = events;
      if (event.type !== 'SM_STORE_REVIEW') throw new Error(`type ${event.type}`);
      expect(event.data).toMatchObject({ accId: '2022070222130610237524', merchantAccId: 'MAC10003', status: 'PENDING' });
      expect(event.signedFields).toEqual(['bizId', 'bizType', 'institutionId', 'signType', 'subClientId']);
    });

    test('the signature is compared case-insensitively', async () => {
      const { events, url } = await start();
      const sign = md5Upper(
        `${SALT}bizId=2022070222130610237524&bizType=SM_STORE_REVIEW&institutionId=2022070222130610237&signType=MD5&subClientId=SM2022071120365810274`,
      );
      expect((await post(url, PINGPONG_STORE_SAMPLE.replace('90A2F1E468B9E7873CF799954FC0F271', sign.toLowerCase()), JSON_TYPE)).status).toBe(200);
      expect(events).toHaveLength(1);
    });

    test('the testing kit signs the documented sample exactly as the hand-written canonical string says', () => {
      const fields = JSON.parse(PINGPONG_STORE_SAMPLE);
      expect(signPingPongKyb(fields, SALT)).toBe(
        md5Upper(`${SALT}bizId=2022070222130610237524&bizType=SM_STORE_REVIEW&institutionId=2022070222130610237&signType=MD5&subClientId=SM2022071120365810274`),
      );
    });
  });

  describe('both signing forms: the trimmed one of its prose, the untrimmed one of its reference Java', () => {
    const base: Record<string, string> = { bizType: 'SM_STORE_REVIEW', institutionId: 'I1', signType: 'MD5', accId: 'A1', merchantAccId: 'M1', status: 'PASS' };

    test("PingPong's public check vector: the sandbox salt and the store-review sample", async () => {
      const sandboxSalt = 'F78BC96A55548B2319EE68E0';
      const text = 'bizId=2022070222130610237524&bizType=SM_STORE_REVIEW&institutionId=2022070222130610237&signType=MD5&subClientId=SM2022071120365810274';
      expect(md5Upper(sandboxSalt + text)).toBe('2EB695365A9C3CD620AB63B95A99D9C3');
      const fields = JSON.parse(PINGPONG_STORE_SAMPLE);
      for (const form of ['trimmed', 'untrimmed'] as const) expect(signPingPongKyb(fields, sandboxSalt, { form })).toBe('2EB695365A9C3CD620AB63B95A99D9C3');
      const { events, url } = await start({ secret: sandboxSalt });
      const body = PINGPONG_STORE_SAMPLE.replace('90A2F1E468B9E7873CF799954FC0F271', '2EB695365A9C3CD620AB63B95A99D9C3');
      expect(await post(url, body, JSON_TYPE)).toMatchObject({ status: 200, body: '' });
      expect(events).toHaveLength(1);
    });

    test.each([
      ['bizId', ' B1 ', 'B1'],
      ['institutionId', '\tI1\n', 'I1'],
      ['bizId', '\u3000B1 ', '\u3000B1'],
    ])('signed trimmed, %s sent as %j: accepted, and the handler gets the value as signed (%j); the unpadded one is the same notification', async (name, padded, signedAs) => {
      const { events, url } = await start();
      const fields = { ...base, bizId: 'B1', [name]: padded };
      const sign = signPingPongKyb(fields, SALT, { form: 'trimmed' });
      expect(await post(url, JSON.stringify({ ...fields, sign }), JSON_TYPE)).toMatchObject({ status: 200 });
      expect(events[0].data[name as 'bizId']).toBe(signedAs);
      expect((await post(url, JSON.stringify({ ...fields, [name]: signedAs, sign }), JSON_TYPE)).status).toBe(200);
      expect(events).toHaveLength(1);
    });

    test("signed untrimmed by the reference Java (TreeMap, isNotBlank, value as sent): the handler gets the value as sent, and the trimmed one is refused", async () => {
      const { events, errors, url } = await start();
      const fields = { ...base, bizId: ' B1 ', subClientId: '\u3000' };
      // The Java signer's loop, written out: keys sorted, blank values (U+3000 is blank) left out, values untrimmed.
      const sign = md5Upper(`${SALT}bizId= B1 &bizType=SM_STORE_REVIEW&institutionId=I1&signType=MD5`);
      expect(signPingPongKyb(fields, SALT, { form: 'untrimmed' })).toBe(sign);
      expect((await post(url, JSON.stringify({ ...fields, subClientId: '', sign }), JSON_TYPE)).status).toBe(200);
      expect(events[0].data.bizId).toBe(' B1 ');
      expect(events[0].signedFields).toEqual(['bizId', 'bizType', 'institutionId', 'signType']);
      expect((await post(url, JSON.stringify({ ...fields, bizId: 'B1', subClientId: '', sign }), JSON_TYPE)).status).toBe(401);
      expect(errors.map((e) => e.code)).toEqual(['SIGNATURE_MISMATCH']);
    });

    test.each(['   ', '\u3000', '\u2028\t', '\u001f'])('a signed field whose value is blank but not empty (%j) is refused: 401 SIGNATURE_AMBIGUOUS (neither form signs it)', async (blank) => {
      const { events, errors, url } = await start();
      const fields = { ...base, bizId: 'B1' };
      const sign = md5Upper(`${SALT}bizId=B1&bizType=SM_STORE_REVIEW&institutionId=I1&signType=MD5`);
      expect((await post(url, JSON.stringify({ ...fields, sign }), JSON_TYPE)).status).toBe(200);
      expect((await post(url, JSON.stringify({ ...fields, subClientId: blank, status: 'FAILED', sign }), JSON_TYPE)).status).toBe(401);
      expect(errors.map((e) => e.code)).toEqual(['SIGNATURE_AMBIGUOUS']);
      expect(events).toHaveLength(1);
    });

    test('a no-break space (U+00A0) is not blank to Java: the value is signed, and kept', async () => {
      const { events, url } = await start();
      const fields = { ...base, bizId: 'B1', subClientId: '\u00a0' };
      const sign = md5Upper(`${SALT}bizId=B1&bizType=SM_STORE_REVIEW&institutionId=I1&signType=MD5&subClientId=\u00a0`);
      expect((await post(url, JSON.stringify({ ...fields, sign }), JSON_TYPE)).status).toBe(200);
      expect(events[0].data.subClientId).toBe('\u00a0');
    });
  });

  describe('tampering', () => {
    test.each([
      ['bizId', 'SM2022071120365810275'],
      ['bizType', 'SM_STORE_REVIEW'],
      ['institutionId', '2022070222130610238'],
      ['subClientId', 'SM2022071120365810275'],
      ['signType', 'md5 '],
    ])('a signed field changed (%s): 401, handler not called', async (field, value) => {
      const { events, errors, url } = await start();
      const n = buildPingPongKybNotification({ secret: SALT, fields: { signType: 'MD5' } });
      const tampered = { ...n.fields, [field]: value };
      expect(await post(url, JSON.stringify(tampered), JSON_TYPE)).toMatchObject({ status: 401, body: 'FAIL' });
      expect(events).toHaveLength(0);
      expect(errors.map((e) => e.code)).toEqual(['SIGNATURE_MISMATCH']);
    });

    test('a signType other than MD5 is refused even when signed: the algorithm is fixed', async () => {
      const { events, errors, url } = await start();
      const n = buildPingPongKybNotification({ secret: SALT, fields: { signType: 'SHA256' } });
      expect((await post(url, n.body, n.headers)).status).toBe(401);
      expect(events).toHaveLength(0);
      expect(errors[0].message).toMatch(/MD5/);
    });

    test.each([
      ['status', 'PASS'],
      ['comment', 'all good'],
      ['merchantClientId', 'someone-else'],
      ['reviewDetail', { companyReviewResult: { status: 'PASS' } }],
    ])('an UNSIGNED field changed (%s) still verifies: the provider does not sign it, and signedFields says so', async (field, value) => {
      const { events, url } = await start();
      const n = buildPingPongKybNotification({ secret: SALT, fields: { signType: 'MD5' } });
      const tampered = { ...n.fields, [field]: value };
      expect((await post(url, JSON.stringify(tampered), JSON_TYPE)).status).toBe(200);
      expect(events).toHaveLength(1);
      expect((events[0].data as unknown as Record<string, unknown>)[field]).toEqual(value);
      expect(events[0].signedFields).not.toContain(field);
      expect(events[0].signedFields).toEqual(['bizId', 'bizType', 'institutionId', 'signType', 'subClientId']);
    });
  });

  describe('the defences for the unsigned fields', () => {
    test('allowIps with PINGPONG_SENDER_IPS: refuses anyone else, accepts a published sender', async () => {
      const direct = await start({ allowIps: [...PINGPONG_SENDER_IPS.production, ...PINGPONG_SENDER_IPS.sandbox] });
      const n = buildPingPongKybNotification({ secret: SALT });
      expect(await post(direct.url, n.body, n.headers)).toMatchObject({ status: 403, body: 'FAIL' });
      const proxied = await start({ allowIps: PINGPONG_SENDER_IPS.production }, (app) => app.set('trust proxy', 'loopback'));
      expect((await post(proxied.url, n.body, { ...n.headers, 'x-forwarded-for': '3.125.243.2' })).status).toBe(200);
      // The sandbox sender is not in the production list.
      expect((await post(proxied.url, n.body, { ...n.headers, 'x-forwarded-for': '52.76.198.228' })).status).toBe(403);
      expect(proxied.events).toHaveLength(1);
      expect(PINGPONG_SENDER_IPS).toEqual({ production: ['3.125.243.2', '3.126.196.22', '18.195.199.34'], sandbox: ['52.76.198.228'] });
      expect(Object.isFrozen(PINGPONG_SENDER_IPS.production)).toBe(true);
    });

    test('confirm: a status the provider does not confirm is not acked and never reaches the handler', async () => {
      const truth = new Map<string, string>();
      const { events, errors, url } = await start({ confirm: async (event) => truth.get(event.data.bizId) === event.data.status });
      const n = buildPingPongKybNotification({ secret: SALT, fields: { status: 'PENDING' } });
      truth.set(n.fields.bizId as string, 'PENDING');
      const forged = JSON.stringify({ ...n.fields, status: 'PASS' });
      expect(await post(url, forged, JSON_TYPE)).toMatchObject({ status: 409, body: 'FAIL' });
      expect((await post(url, n.body, n.headers)).status).toBe(200);
      expect(events.map((e) => e.data.status)).toEqual(['PENDING']);
      expect(errors.map((e) => e.code)).toEqual(['NOT_CONFIRMED']);
    });
  });

  describe('dedup', () => {
    test('an exact redelivery runs once, also when its keys come in another order or spacing', async () => {
      const { events, url } = await start();
      const n = buildPingPongKybNotification({ secret: SALT });
      expect((await post(url, n.body, n.headers)).status).toBe(200);
      expect(await post(url, n.body, n.headers)).toMatchObject({ status: 200, body: '' });
      const reordered = Object.fromEntries(Object.entries(n.fields).reverse());
      expect((await post(url, JSON.stringify(reordered, null, 2), JSON_TYPE)).status).toBe(200);
      expect(events).toHaveLength(1);
    });

    test('a second MODIFY for the same bizId with new comments reaches the handler', async () => {
      const { events, url } = await start();
      const first = buildPingPongKybNotification({ secret: SALT, fields: { status: 'MODIFY', comment: '请重新提交' } });
      const bizId = first.fields.bizId as string;
      const second = buildPingPongKybNotification({ secret: SALT, fields: { bizId, status: 'MODIFY', comment: '证件不清晰' } });
      const third = buildPingPongKybNotification({
        secret: SALT,
        fields: { bizId, status: 'MODIFY', comment: '证件不清晰', reviewDetail: { companyReviewResult: { status: 'FAILED', comment: '新意见' } } },
      });
      for (const n of [first, second, third, third]) expect((await post(url, n.body, n.headers)).status).toBe(200);
      expect(events.map((e) => e.data.comment)).toEqual(['请重新提交', '证件不清晰', '证件不清晰']);
      expect(new Set(events.map((e) => e.id)).size).toBe(3);
      expect(events.every((e) => e.id.startsWith(`SM_KYC_REVIEW:${bizId}:MODIFY:`))).toBe(true);
    });

    test('a new status for the same bizId is a new notification', async () => {
      const { events, url } = await start();
      const modify = buildPingPongKybNotification({ secret: SALT, fields: { status: 'MODIFY' } });
      const pass = buildPingPongKybNotification({ secret: SALT, fields: { ...modify.fields, status: 'PASS', sign: undefined } });
      for (const n of [modify, pass]) expect((await post(url, n.body, n.headers)).status).toBe(200);
      expect(events.map((e) => e.data.status)).toEqual(['MODIFY', 'PASS']);
    });

    test('the same notification re-signed with a rotated salt is still a duplicate', async () => {
      const { events, url } = await start({ secret: ['new-salt', SALT] });
      const old = buildPingPongKybNotification({ secret: SALT });
      const fresh = { ...old.fields, sign: signPingPongKyb(old.fields, 'new-salt') };
      expect((await post(url, old.body, old.headers)).status).toBe(200);
      expect((await post(url, JSON.stringify(fresh), JSON_TYPE)).status).toBe(200);
      expect(events).toHaveLength(1);
    });

    test('a global express.json() ran first: verified from the parsed fields, with the same id as from the raw body', async () => {
      const n = buildPingPongKybNotification({ secret: SALT });
      const raw = await start();
      expect((await post(raw.url, n.body, n.headers)).status).toBe(200);
      const parsed = await start({}, (app) => app.use(express.json()));
      expect((await post(parsed.url, n.body, n.headers)).status).toBe(200);
      expect(parsed.events[0].id).toBe(raw.events[0].id);
      expect((await post(parsed.url, JSON.stringify({ ...n.fields, bizId: 'X' }), JSON_TYPE)).status).toBe(401);
    });
  });

  test('the table spelling customerTye is accepted alongside customerType', async () => {
    const { events, url } = await start();
    const n = buildPingPongKybNotification({
      secret: SALT,
      fields: { reviewDetail: { personReviewResult: [{ status: 'PASS', customerId: 1, customerTye: 2, idCardNumber: 'X' }] } },
    });
    expect((await post(url, n.body, n.headers)).status).toBe(200);
    const [event] = events;
    if (event.type !== 'SM_KYC_REVIEW') throw new Error(`type ${event.type}`);
    const person = event.data.reviewDetail!.personReviewResult![0];
    expect(person.customerType ?? person.customerTye).toBe(2);
  });

  test('a bizType this version does not list is delivered with its own type', async () => {
    const { events, url } = await start();
    const n = buildPingPongKybNotification({ secret: SALT, fields: { bizType: 'SM_BANK_REVIEW', status: 'PASS' } });
    expect((await post(url, n.body, n.headers)).status).toBe(200);
    expect(events[0].type).toBe('SM_BANK_REVIEW');
    expect(events[0].id).toMatch(/^SM_BANK_REVIEW:/);
  });

  test.each([
    ['bizId', { bizId: '' }],
    ['status', { status: undefined }],
  ])('a signed notification without %s: 400', async (_name, fields) => {
    const { events, errors, url } = await start();
    const n = buildPingPongKybNotification({ secret: SALT, fields });
    expect(await post(url, n.body, n.headers)).toMatchObject({ status: 400, body: 'FAIL' });
    expect(events).toHaveLength(0);
    expect(errors.map((e) => e.code)).toEqual(['BODY_INVALID']);
  });

  test('error messages carry no signature, salt or field values', async () => {
    const { errors, url } = await start();
    const n = buildPingPongKybNotification({ secret: 'another-salt', fields: { comment: 'secret-comment' } });
    await post(url, n.body, n.headers);
    const text = errors.map((e) => e.message).join(' ');
    expect(text).not.toContain(n.fields.sign as string);
    expect(text).not.toContain(SALT);
    expect(text).not.toContain('secret-comment');
    expect(text).not.toContain(n.fields.bizId as string);
  });
});
