import { createHash } from 'node:crypto';
import { createCryptoGatewayWebhookMiddleware, type CryptoGatewayEvent, type CryptoGatewayOptions } from '../../lib';
import { buildCryptoGatewayNotification, encodeForm, signCryptoGateway } from '../../lib/testing';
import { answersTable, type Sendable } from '../helpers/answers-table';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { webhookApps } from '../helpers/webhook-app';
import { post } from '../helpers/server';
import {
  CRYPTO_DEPOSIT_FORM_SIGNED_STRING,
  CRYPTO_DEPOSIT_JSON,
  CRYPTO_DEPOSIT_XML,
  CRYPTO_SEED_KEY,
  CRYPTO_TRANSFER_FORM_SIGNED_STRING,
  CRYPTO_TRANSFER_JSON,
  CRYPTO_TRANSFER_XML,
} from '../fixtures/provider-samples';

const SECRET = 'crypto-test-secret';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };
const XML = { 'content-type': 'application/xml' };

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** The gateway's signature, computed here: sorted k=v of every field but sign (empties dropped or not), &key=. */
function independentSign(fields: Record<string, string>, key = CRYPTO_SEED_KEY, dropEmpty = false): string {
  const names = Object.keys(fields)
    .filter((name) => name !== 'sign' && !(dropEmpty && fields[name] === ''))
    .sort();
  return md5(`${names.map((name) => `${name}=${fields[name]}`).join('&')}&key=${key}`);
}

/** Every <tag>value</tag> of a flat XML sample, read with a regex (not the library's parser). */
function xmlSampleFields(xml: string): Record<string, string> {
  return Object.fromEntries([...xml.matchAll(/<(\w+)>([^<]*)<\/\1>/g)].map((m) => [m[1], m[2]]));
}

const formBodyOf = (signedString: string) => signedString.replace(/&key=[^&]*$/, '');

answersTable({
  provider: 'crypto-gateway',
  stem: 'CryptoGateway',
  options: (options) => ({ secret: SECRET, ...options }),
  notification: () => buildCryptoGatewayNotification({ secret: SECRET }),
  large: (bytes) => buildCryptoGatewayNotification({ secret: SECRET, format: 'xml', fields: { symbol: 'x'.repeat(bytes) } }),
  forgeries: [
    ['wrong: the amount changed', (n) => ({ ...n, body: String(n.body).replace('0.9900000000000000', '9.9900000000000000') }), 'SIGNATURE_MISMATCH'],
    ['wrong: not hex at all', (n) => ({ ...n, headers: { ...n.headers, sign: 'zz' } }), 'SIGNATURE_MISMATCH'],
    ['missing from header and body', (n) => ({ ...n, headers: { 'content-type': n.headers['content-type'] } }), 'SIGNATURE_MISSING'],
    ['for another secret', () => buildCryptoGatewayNotification({ secret: 'another-secret' }), 'SIGNATURE_MISMATCH'],
  ],
  malformed: [
    ['malformed JSON', 'application/json', '{"type": ', 'BODY_MALFORMED'],
    ['a nested JSON value', 'application/json', '{"type":{"a":"recharge"},"sign":"x"}', 'BODY_INVALID'],
    ['a repeated form key', 'application/x-www-form-urlencoded', 'status=1&status=2&sign=x', 'BODY_MALFORMED'],
    ['XML with a DOCTYPE', 'application/xml', '<!DOCTYPE response [<!ENTITY x SYSTEM "file:///etc/passwd">]><response><type>&x;</type></response>', 'BODY_MALFORMED'],
    ['XML with an ENTITY declaration', 'text/xml', '<!ENTITY x "y"><response><type>recharge</type></response>', 'BODY_MALFORMED'],
    ['XML repeating an element', 'application/xml', '<response><status>1</status><status>2</status></response>', 'BODY_INVALID'],
    ['XML with a nested element', 'application/xml', '<response><type><a>recharge</a></type></response>', 'BODY_INVALID'],
    ['XML with an attribute', 'application/xml', '<response><type a="b">recharge</type></response>', 'BODY_INVALID'],
    ['XML with another root', 'application/xml', '<xml><type>recharge</type></xml>', 'BODY_INVALID'],
    ['XML with two roots', 'application/xml', '<response><type>recharge</type></response><response><type>recharge</type></response>', 'BODY_MALFORMED'],
    ['empty XML', 'application/xml', '', 'BODY_MALFORMED'],
    ['truncated XML', 'application/xml', CRYPTO_DEPOSIT_XML.slice(0, 100), 'BODY_MALFORMED'],
    ['XML with an element named __proto__', 'application/xml', '<response><__proto__>1</__proto__><type>recharge</type></response>', 'BODY_MALFORMED'],
    ['XML with an element named constructor', 'text/xml', '<response><constructor>1</constructor></response>', 'BODY_MALFORMED'],
  ],
  unsupportedTypes: ['text/plain', 'multipart/form-data; boundary=x', 'application/xml; charset=gbk'],
  successBody: 'success',
  failureBody: 'fail',
});

describe.each(EXPRESS_VERSIONS)('crypto gateway on $name', (express) => {
  const startApp = webhookApps();

  async function start(options: Partial<CryptoGatewayOptions> = {}, setup?: (app: any) => void) {
    return startApp<CryptoGatewayEvent>((r) => createCryptoGatewayWebhookMiddleware({ secret: CRYPTO_SEED_KEY, ...r.options, ...options }), { express, path: '/notify/crypto', setup });
  }

  describe('the documented samples in every format, signed independently', () => {
    test('deposit as a form: the documented line with &key= IS the signed string; sign in the header', async () => {
      const { events, url } = await start();
      const reply = await post(url, formBodyOf(CRYPTO_DEPOSIT_FORM_SIGNED_STRING), { ...FORM, sign: md5(CRYPTO_DEPOSIT_FORM_SIGNED_STRING) });
      expect(reply).toMatchObject({ status: 200, body: 'success' });
      expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
      const [event] = events;
      if (event.type !== 'recharge') throw new Error(`type ${event.type}`);
      expect(event.data.balance).toBe('0.9900000000000000');
      expect(event.data.address).toBe('f1trzl2fkdk7uu3jkmi63pw5zog25d3ktwsnhgbna');
      expect(event.id).toBe('recharge:f1trzl2fkdk7uu3jkmi63pw5zog25d3ktwsnhgbna:bafy2bzacebi6prnvanvosowzf67csila37i43gdf3a6xhfce6ry7b3fedmwgu:1');
      expect(event.signedFields).toEqual(['address', 'appkey', 'balance', 'fromaddr', 'ordid', 'status', 'symbol', 'timestamp', 'txid', 'type']);
    });

    test('transfer as a form, sign in a body field', async () => {
      const { events, url } = await start();
      const body = `${formBodyOf(CRYPTO_TRANSFER_FORM_SIGNED_STRING)}&sign=${md5(CRYPTO_TRANSFER_FORM_SIGNED_STRING)}`;
      expect((await post(url, body, FORM)).status).toBe(200);
      const [event] = events;
      if (event.type !== 'transfer') throw new Error(`type ${event.type}`);
      expect(event.data.toaddr).toMatch(/^f3tbcweo/);
      expect(event.id).toBe('transfer:534565464:1');
      expect(event.signedFields).not.toContain('sign');
    });

    test.each([
      ['deposit', CRYPTO_DEPOSIT_JSON],
      ['transfer', CRYPTO_TRANSFER_JSON],
    ])('%s as JSON, sign in the header', async (_name, body) => {
      const { events, url } = await start();
      expect(await post(url, body, { ...JSON_TYPE, sign: independentSign(JSON.parse(body)) })).toMatchObject({ status: 200, body: 'success' });
      expect(events[0].data).toEqual(JSON.parse(body));
    });

    test.each(['application/xml', 'text/xml', 'application/xml; charset=utf-8', 'text/xml; charset=UTF-8', 'text/xml;charset="utf-8"'])(
      'deposit as XML with Content-Type %s',
      async (type) => {
        const { events, url } = await start();
        const sign = independentSign(xmlSampleFields(CRYPTO_DEPOSIT_XML));
        expect(await post(url, CRYPTO_DEPOSIT_XML, { 'content-type': type, sign })).toMatchObject({ status: 200, body: 'success' });
        expect(events[0].data).toEqual(xmlSampleFields(CRYPTO_DEPOSIT_XML));
        expect(Object.getPrototypeOf(events[0].data)).toBeNull();
      },
    );

    test.each([
      ['with the empty value (sign in the header)', false, 'header'],
      ['without the empty value (sign in the header)', true, 'header'],
      ['with the empty value (sign as a <sign> element)', false, 'body'],
      ['without the empty value (sign as a <sign> element)', true, 'body'],
    ])('transfer as XML with an empty <ordid>, signed %s', async (_name, dropEmpty, where) => {
      const { events, url } = await start();
      const fields = xmlSampleFields(CRYPTO_TRANSFER_XML);
      expect(fields.ordid).toBe('');
      const sign = independentSign(fields, CRYPTO_SEED_KEY, dropEmpty as boolean);
      const reply =
        where === 'header'
          ? await post(url, CRYPTO_TRANSFER_XML, { ...XML, sign })
          : await post(url, CRYPTO_TRANSFER_XML.replace('</response>', `<sign>${sign}</sign></response>`), XML);
      expect(reply).toMatchObject({ status: 200, body: 'success' });
      const [event] = events;
      if (event.type !== 'transfer') throw new Error(`type ${event.type}`);
      expect(event.data.ordid).toBe('');
      expect(event.signedFields.includes('ordid')).toBe(!dropEmpty);
      // No ordid to go by: the transfer is identified by its txid instead.
      expect(event.id).toBe('transfer:txid=bafy2bzacecsrxdyiv4x7ymxdnmgbhuw4gymp253nn6zzvd5ep6nk6x2qglrpk:1');
    });

    test('the testing kit signs the documented sample exactly as the documented line says', () => {
      const fields = Object.fromEntries(new URLSearchParams(formBodyOf(CRYPTO_DEPOSIT_FORM_SIGNED_STRING)));
      expect(signCryptoGateway(fields, CRYPTO_SEED_KEY)).toBe(md5(CRYPTO_DEPOSIT_FORM_SIGNED_STRING));
    });
  });

  test('form, JSON and XML of the same notification give the same flat data of strings', async () => {
    const seen: Record<string, unknown> = {};
    const mountEachFormat = (app: any) => {
      for (const format of ['form', 'json', 'xml'] as const) {
        app.post(`/${format}`, createCryptoGatewayWebhookMiddleware({ secret: SECRET, onEvent: (event) => void (seen[format] = event.data) }));
      }
      return '';
    };
    const server = await startApp(() => createCryptoGatewayWebhookMiddleware({ secret: SECRET, onEvent: () => undefined }), { express, mount: mountEachFormat });
    const fields = { ...buildCryptoGatewayNotification({ secret: SECRET }).fields, ordid: '', symbol: 'A&B <c>' } as Record<string, string>;
    delete fields.sign;
    for (const format of ['form', 'json', 'xml'] as const) {
      const n = buildCryptoGatewayNotification({ secret: SECRET, format, fields });
      expect((await post(`${server.origin}/${format}`, n.body, n.headers)).status).toBe(200);
    }
    expect(seen.form).toEqual(fields);
    expect(seen.json).toEqual(fields);
    expect(seen.xml).toEqual(fields);
  });

  test('a deposit seen as JSON, again as a form and again as XML is one notification', async () => {
    const { events, url } = await start();
    // the documented three deposit samples differ in timestamp only: the same deposit, three deliveries.
    expect((await post(url, CRYPTO_DEPOSIT_JSON, { ...JSON_TYPE, sign: independentSign(JSON.parse(CRYPTO_DEPOSIT_JSON)) })).status).toBe(200);
    expect((await post(url, formBodyOf(CRYPTO_DEPOSIT_FORM_SIGNED_STRING), { ...FORM, sign: md5(CRYPTO_DEPOSIT_FORM_SIGNED_STRING) })).status).toBe(200);
    expect((await post(url, CRYPTO_DEPOSIT_XML, { ...XML, sign: independentSign(xmlSampleFields(CRYPTO_DEPOSIT_XML)) })).status).toBe(200);
    expect(events).toHaveLength(1);
  });

  test('dedup keys: deposits by address+txid+status, transfers by ordid+status, empty ordids by txid', async () => {
    const { events, url } = await start({ secret: SECRET });
    const send = (n: Sendable) => post(url, n.body, n.headers);
    const deposit = buildCryptoGatewayNotification({ secret: SECRET });
    const depositFailed = buildCryptoGatewayNotification({ secret: SECRET, fields: { ...(deposit.fields as Record<string, string>), status: '0' } });
    const otherAddress = buildCryptoGatewayNotification({ secret: SECRET, fields: { txid: deposit.fields.txid as string, address: 'f1other' } });
    const transfer = buildCryptoGatewayNotification({ secret: SECRET, type: 'transfer' });
    const sameOrderOtherTx = buildCryptoGatewayNotification({ secret: SECRET, type: 'transfer', fields: { ordid: transfer.fields.ordid as string } });
    const transferFailed = buildCryptoGatewayNotification({ secret: SECRET, type: 'transfer', fields: { ordid: transfer.fields.ordid as string, status: '2' } });
    const noOrdid1 = buildCryptoGatewayNotification({ secret: SECRET, type: 'transfer', fields: { ordid: '' } });
    const noOrdid2 = buildCryptoGatewayNotification({ secret: SECRET, type: 'transfer', fields: { ordid: '' } });
    for (const n of [deposit, depositFailed, otherAddress, transfer, sameOrderOtherTx, transferFailed, noOrdid1, noOrdid2]) {
      expect((await send(n)).status).toBe(200);
    }
    expect(events.map((e) => `${e.type}:${e.data.status}`)).toEqual([
      'recharge:1',
      'recharge:0',
      'recharge:1',
      'transfer:1',
      'transfer:2',
      'transfer:1',
      'transfer:1',
    ]);
  });

  test('JSON numbers sign as the provider writes them and reach the handler as strings', async () => {
    const { events, url } = await start({ secret: SECRET });
    const fields = { ...buildCryptoGatewayNotification({ secret: SECRET }).fields, status: 1, timestamp: 1634023357 } as Record<string, string | number>;
    delete fields.sign;
    const sign = md5(`${Object.keys(fields).sort().map((k) => `${k}=${fields[k]}`).join('&')}&key=${SECRET}`);
    expect((await post(url, JSON.stringify(fields), { ...JSON_TYPE, sign })).status).toBe(200);
    expect(events[0].data.status).toBe('1');
    expect(events[0].data.timestamp).toBe('1634023357');
  });

  test('the header wins over a body field: a wrong header is refused even with a right body sign', async () => {
    const { events, errors, url } = await start({ secret: SECRET });
    const n = buildCryptoGatewayNotification({ secret: SECRET, format: 'form', signIn: 'body' });
    expect((await post(url, n.body, { ...n.headers, sign: '0'.repeat(32) })).status).toBe(401);
    expect((await post(url, n.body, { ...n.headers, sign: '' })).status).toBe(200);
    expect(events).toHaveLength(1);
    expect(errors.map((e) => e.code)).toEqual(['SIGNATURE_MISMATCH']);
  });

  test('an upper-case hex signature is accepted', async () => {
    const { events, url } = await start({ secret: SECRET });
    const n = buildCryptoGatewayNotification({ secret: SECRET });
    expect((await post(url, n.body, { ...n.headers, sign: n.headers.sign.toUpperCase() })).status).toBe(200);
    expect(events).toHaveLength(1);
  });

  test('a rotated secret: either key verifies', async () => {
    const { events, url } = await start({ secret: ['new-key', SECRET] });
    for (const secret of ['new-key', SECRET]) {
      const n = buildCryptoGatewayNotification({ secret, format: 'xml' });
      expect((await post(url, n.body, n.headers)).status).toBe(200);
    }
    expect(events).toHaveLength(2);
  });

  test('tampering with any XML value is refused', async () => {
    const { events, url } = await start();
    const sign = independentSign(xmlSampleFields(CRYPTO_DEPOSIT_XML));
    for (const [from, to] of [
      ['<status>1</status>', '<status>2</status>'],
      ['<balance>0.9900000000000000</balance>', '<balance>0.99</balance>'],
      ['<address>f1', '<address> f1'],
    ]) {
      expect((await post(url, CRYPTO_DEPOSIT_XML.replace(from, to), { ...XML, sign })).status).toBe(401);
    }
    expect(events).toHaveLength(0);
  });

  test('a type this version does not list is delivered, identified by its whole content', async () => {
    const { events, url } = await start({ secret: SECRET });
    const n = buildCryptoGatewayNotification({ secret: SECRET, fields: { type: 'refund' } });
    expect((await post(url, n.body, n.headers)).status).toBe(200);
    expect((await post(url, n.body, n.headers)).status).toBe(200);
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe('refund');
    expect(events[0].id).toMatch(/^refund:[0-9a-f]{32}$/);
  });

  test.each([
    ['type', { type: '' }],
    ['status', { status: '' }],
    ['a deposit address', { address: '' }],
  ])('a signed notification without %s: 400', async (_name, fields) => {
    const { events, errors, url } = await start({ secret: SECRET });
    const n = buildCryptoGatewayNotification({ secret: SECRET, fields });
    expect(await post(url, n.body, n.headers)).toMatchObject({ status: 400, body: 'fail' });
    expect(events).toHaveLength(0);
    expect(errors.map((e) => e.code)).toEqual(['BODY_INVALID']);
  });

  test('a global express.urlencoded() ran first: the parsed form is verified, forgeries still refused', async () => {
    const { events, url } = await start({ secret: SECRET }, (app) => app.use(express.urlencoded()));
    const n = buildCryptoGatewayNotification({ secret: SECRET, format: 'form' });
    expect((await post(url, n.body, n.headers)).status).toBe(200);
    const forged = encodeForm({ ...(n.fields as Record<string, string>), balance: '99' });
    expect((await post(url, forged, n.headers)).status).toBe(401);
    expect(events).toHaveLength(1);
  });
});
