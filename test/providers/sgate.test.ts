/**
 * SGATE end to end over real HTTP, on Express 5 and 4: the answers
 * table (test/helpers/answers-table.ts) with SGATE's forgeries; here, what is
 * SGATE's own: the api key and public key, mounting and notifyUrl, the
 * consumed body, toleranceSeconds, decryption of the sensitive fields, event
 * ids, typed and unknown events.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createSgateWebhookMiddleware, isEventType, type SgateEvent, type SgateOptions } from '../../lib';
import { buildSgateNotification, encryptSgateField, signSgateHeaders } from '../../lib/testing';
import { answersTable, type Sendable } from '../helpers/answers-table';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { post } from '../helpers/server';
import { spyStore } from '../helpers/spy-store';
import { webhookApps } from '../helpers/webhook-app';

// SGATE's pair (it signs) and the merchant's pair (SGATE encrypts for it).
const system = generateKeyPairSync('rsa', { modulusLength: 2048 });
const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const SYSTEM_PUBLIC_KEY = system.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const SYSTEM_PUBLIC_KEY_DER = (system.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
const MERCHANT_PRIVATE_KEY = merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const API_KEY = 'sgate-api-key-1';
const PATH = '/notify/sgate';

type Built = ReturnType<typeof buildSgateNotification>;
const notify = (overrides: Partial<Parameters<typeof buildSgateNotification>[0]> = {}): Built =>
  buildSgateNotification({ privateKey: system.privateKey, apiKey: API_KEY, url: PATH, ...overrides });
const withHeaders = <N extends Sendable>(n: N, change: (h: Record<string, string>) => void): N => {
  const headers = { ...n.headers };
  change(headers);
  return { ...n, headers };
};
const failure = (status: number, reason: string) => ({ status, body: JSON.stringify({ code: status, message: reason }) });

answersTable({
  provider: 'sgate',
  path: PATH,
  stem: 'Sgate',
  options: (options) => ({ publicKey: SYSTEM_PUBLIC_KEY, apiKey: API_KEY, ...options }),
  notification: () => notify(),
  large: (bytes) => notify({ data: { remark: 'x'.repeat(bytes) } }),
  forgeries: [
    ['tampered body', (n) => ({ ...n, body: String(n.body).replace('"updTest2"', '"updTest3"') }), 'SIGNATURE_MISMATCH'],
    ['signed with another key', () => notify({ privateKey: stranger.privateKey }), 'SIGNATURE_MISMATCH'],
    ['another V-Api-Key, correctly signed', () => notify({ apiKey: 'someone-else' }), 'SIGNATURE_MISMATCH'],
    ['V-Api-Key swapped after signing', () => withHeaders(notify({ apiKey: 'someone-else' }), (h) => (h['V-Api-Key'] = API_KEY)), 'SIGNATURE_MISMATCH'],
    ['signed for another url', () => notify({ url: '/notify/other' }), 'SIGNATURE_MISMATCH'],
    ['V-Timestamp changed after signing', (n) => withHeaders(n, (h) => (h['V-Timestamp'] = String(Number(h['V-Timestamp']) + 1))), 'SIGNATURE_MISMATCH'],
    ['V-Nonce-Str changed after signing', (n) => withHeaders(n, (h) => (h['V-Nonce-Str'] += 'x')), 'SIGNATURE_MISMATCH'],
    ['V-Timestamp not a number', (n) => withHeaders(n, (h) => (h['V-Timestamp'] = '1e9')), 'SIGNATURE_MISMATCH'],
    ['garbage base64 signature', (n) => withHeaders(n, (h) => (h['V-Signature'] = '!!not*base64!!')), 'SIGNATURE_MISMATCH'],
    ['base64 of random bytes as signature', (n) => withHeaders(n, (h) => (h['V-Signature'] = Buffer.alloc(256, 7).toString('base64'))), 'SIGNATURE_MISMATCH'],
    ['signature truncated', (n) => withHeaders(n, (h) => (h['V-Signature'] = h['V-Signature'].slice(0, 100))), 'SIGNATURE_MISMATCH'],
    ...['V-Api-Key', 'V-Timestamp', 'V-Nonce-Str', 'V-Signature'].map(
      (name): [string, (n: Sendable) => Sendable, string] => [`missing ${name}`, (n) => withHeaders(n, (h) => delete h[name]), 'SIGNATURE_MISSING'],
    ),
  ],
  // Refused before any signature work: no V-* headers needed.
  malformed: [
    ['malformed JSON', 'application/json', '{"event":', 'BODY_MALFORMED'],
    ['a repeated key', 'application/json', '{"time":1,"event":"CUSTOM_STATUS_CHANGE","data":{},"time":2}', 'BODY_MALFORMED'],
    ['a reserved key', 'application/json', '{"__proto__":{"x":1}}', 'BODY_MALFORMED'],
  ],
  unsupportedTypes: ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'],
  successBody: '{"code":200,"message":"success"}',
  failureBody: (status, code) => failure(status, code.toLowerCase().replace(/_/g, ' ')).body,
});

describe.each(EXPRESS_VERSIONS)('SGATE on $name', (express) => {
  const startApp = webhookApps();

  async function start(options: Partial<SgateOptions> = {}, setup?: (app: any) => void, mount?: (app: any, middleware: any) => string) {
    const store = spyStore();
    const app = await startApp<SgateEvent>((r) => createSgateWebhookMiddleware({ publicKey: SYSTEM_PUBLIC_KEY, apiKey: API_KEY, store, ...r.options, ...options }), {
      express,
      path: PATH,
      setup,
      mount,
    });
    return { ...app, store, base: app.origin };
  }
  const send = (url: string, n: { headers: Record<string, string>; body: string }) => post(url, n.body, n.headers);

  test('verified and handled: a JSON ack, the handler called with the typed event', async () => {
    const { events, errors, url } = await start();
    const n = notify();
    const reply = await send(url, n);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(events).toHaveLength(1);
    const data = (n.fields as any).data;
    expect(events[0]).toMatchObject({
      provider: 'sgate',
      type: 'CUSTOM_STATUS_CHANGE',
      id: `CUSTOM_STATUS_CHANGE:${data.customid}:${data.status}:${data.updated_at}`,
      signedFields: ['event', 'data', 'time'],
      envelope: { event: 'CUSTOM_STATUS_CHANGE', time: (n.fields as any).time },
    });
    const event = events[0];
    if (!isEventType(event, 'CUSTOM_STATUS_CHANGE')) throw new Error('not narrowed');
    expect(event.data.customid).toBe(data.customid);
    expect(event.data.cardno).toBe('4000001234567899');
    expect(event.receivedAt).toBeInstanceOf(Date);
    expect(errors).toEqual([]);
  });

  test('the public key as bare base64 DER, as SGATE hands it out', async () => {
    const { events, url } = await start({ publicKey: SYSTEM_PUBLIC_KEY_DER });
    expect((await send(url, notify())).status).toBe(200);
    expect(events).toHaveLength(1);
  });

  test('a retry re-signed with a new timestamp and nonce is still the same notification', async () => {
    const { events, url } = await start();
    const n = notify({ timestamp: Math.floor(Date.now() / 1000) - 60, nonce: 'first' });
    expect((await send(url, n)).status).toBe(200);
    const resigned = { ...n, headers: { 'content-type': 'application/json', ...signSgateHeaders(n.body, { privateKey: system.privateKey, apiKey: API_KEY, url: PATH, nonce: 'second' }) } };
    expect((await send(url, resigned)).status).toBe(200);
    expect(events).toHaveLength(1);
  });

  test('the same customer in a new state (new updated_at) is a new notification', async () => {
    const { events, url } = await start();
    const first = notify({ data: { customid: 'c1', status: 0, updated_at: 1000 } });
    const second = notify({ data: { customid: 'c1', status: 1, updated_at: 2000 } });
    expect((await send(url, first)).status).toBe(200);
    expect((await send(url, second)).status).toBe(200);
    expect(events.map((e) => e.id)).toEqual(['CUSTOM_STATUS_CHANGE:c1:0:1000', 'CUSTOM_STATUS_CHANGE:c1:1:2000']);
  });

  test('the error names the missing headers', async () => {
    const { errors, url } = await start();
    await send(url, withHeaders(notify(), (h) => { delete h['V-Nonce-Str']; delete h['V-Signature']; }));
    expect(errors[0].message).toContain('v-nonce-str, v-signature');
  });

  test.each([
    ['no event', { event: '', data: {}, time: 1 }],
    ['data not an object', { event: 'CUSTOM_STATUS_CHANGE', data: 'x', time: 1 }],
    ['time not a number', { event: 'CUSTOM_STATUS_CHANGE', data: { customid: 'a' }, time: '1686832475' }],
    ['a documented event without its object id', { event: 'SALARY_STATUS_CHANGE', data: { customid: 'a' }, time: 1 }],
    ['a status change without its status', { event: 'CUSTOM_STATUS_CHANGE', data: { customid: 'a', updated_at: 1 }, time: 1 }],
  ])('correctly signed but the wrong shape (%s): 400, handler not called', async (_name, fields) => {
    const { events, errors, url } = await start();
    const body = JSON.stringify(fields);
    const headers = { 'content-type': 'application/json', ...signSgateHeaders(body, { privateKey: system.privateKey, apiKey: API_KEY, url: PATH }) };
    expect(await post(url, body, headers)).toMatchObject(failure(400, 'body invalid'));
    expect(events).toHaveLength(0);
    expect(errors.map((e) => e.code)).toEqual(['BODY_INVALID']);
  });

  test('a global express.json() consumed the body and kept no rawBody: 500 at once, the fix (naming SGATE) in the log, reported', async () => {
    const { events, errors, lines, url } = await start({}, (app) => app.use(express.json()));
    const reply = await send(url, notify());
    // Whoever called the public URL gets SGATE's usual failure ack; the developer gets the fix in the log.
    expect(reply).toMatchObject(failure(500, 'configuration'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', line: expect.stringContaining('CONFIGURATION status=500') });
    expect(lines[0].line).toMatch(/sgate/i);
    expect(lines[0].line).toContain('raw body');
    expect(lines[0].line).toContain('Mount this middleware before that parser');
    expect(lines[0].line).toContain('req.rawBody = buf');
    expect(events).toHaveLength(0);
    expect(errors.map((e) => e.code)).toEqual(['CONFIGURATION']);
  });

  test('a global express.json() that keeps req.rawBody (verify): verified from the raw bytes', async () => {
    const { events, url } = await start({}, (app) =>
      app.use(
        express.json({
          verify: (req: any, _res: any, buf: Buffer) => {
            req.rawBody = buf;
          },
        }),
      ),
    );
    expect((await send(url, notify())).status).toBe(200);
    const n = notify();
    expect((await send(url, { ...n, body: n.body.replace('"updTest2"', '"updTest3"') })).status).toBe(401);
    expect(events).toHaveLength(1);
  });

  test('mounted under a router: the url signed is the full path (req.originalUrl)', async () => {
    const { events, url, base } = await start({}, undefined, (app, middleware) => {
      const router = (express.create as any).Router();
      router.post('/sgate', middleware);
      app.use('/hooks', router);
      return '/hooks/sgate';
    });
    expect((await send(url, notify({ url: '/hooks/sgate' }))).status).toBe(200);
    expect((await send(`${base}/hooks/sgate`, notify({ url: '/sgate' }))).status).toBe(401);
    expect(events).toHaveLength(1);
  });

  test('the query string is part of the signed url', async () => {
    const { events, url } = await start();
    expect((await send(`${url}?merchant=7`, notify({ url: `${PATH}?merchant=7` }))).status).toBe(200);
    expect((await send(`${url}?merchant=7`, notify({ url: PATH }))).status).toBe(401);
    expect(events).toHaveLength(1);
  });

  test('behind a proxy that rewrites the path: notifyUrl (a full URL or a path) is what gets verified', async () => {
    // SGATE posts to https://shop.example/api/notify/sgate; the proxy forwards it to /notify/sgate.
    const full = await start({ notifyUrl: 'https://shop.example/api/notify/sgate' });
    expect((await send(full.url, notify({ url: '/api/notify/sgate' }))).status).toBe(200);
    expect((await send(full.url, notify({ url: PATH }))).status).toBe(401);
    const pathOnly = await start({ notifyUrl: '/api/notify/sgate' });
    expect((await send(pathOnly.url, notify({ url: '/api/notify/sgate' }))).status).toBe(200);
    const plain = await start();
    expect((await send(plain.url, notify({ url: '/api/notify/sgate' }))).status).toBe(401);
  });

  test('toleranceSeconds: 300 by default, so a captured notification cannot be replayed an hour later; false turns it off', async () => {
    const now = Math.floor(Date.now() / 1000);
    const strict = await start();
    // SGATE's last retry (~25 s) with the first signature, and a clock a few minutes off, are accepted.
    expect((await send(strict.url, notify({ timestamp: now - 25 }))).status).toBe(200);
    expect((await send(strict.url, notify({ timestamp: now - 290 }))).status).toBe(200);
    expect((await send(strict.url, notify({ timestamp: now + 290 }))).status).toBe(200);
    expect(await send(strict.url, notify({ timestamp: now - 3600 }))).toMatchObject(failure(401, 'timestamp out of tolerance'));
    expect(await send(strict.url, notify({ timestamp: now + 400 }))).toMatchObject(failure(401, 'timestamp out of tolerance'));
    expect(strict.errors.map((e) => e.code)).toEqual(['TIMESTAMP_OUT_OF_TOLERANCE', 'TIMESTAMP_OUT_OF_TOLERANCE']);

    const lenient = await start({ toleranceSeconds: false });
    expect((await send(lenient.url, notify({ timestamp: now - 3600 }))).status).toBe(200);
    const tight = await start({ toleranceSeconds: 30 });
    expect((await send(tight.url, notify({ timestamp: now - 60 }))).status).toBe(401);
  });

  test('payout, transfer and receipt events: typed, identified by ticketid / uuid', async () => {
    const { events, url } = await start();
    const payout = notify({ event: 'SALARY_STATUS_CHANGE' });
    const receipt = notify({ event: 'RECEIVING_TRANS_NOTIFICATION', time: 1714448388 });
    const offline = notify({ event: 'OFFLINE_TRANSFER_NOTIFICATION' });
    for (const n of [payout, receipt, offline]) expect((await send(url, n)).status).toBe(200);
    const p = (payout.fields as any).data;
    const r = (receipt.fields as any).data;
    expect(events.map((e) => e.id)).toEqual([
      `SALARY_STATUS_CHANGE:${p.ticketid}:${p.status}:${p.updated_at}`,
      expect.stringMatching(new RegExp(`^RECEIVING_TRANS_NOTIFICATION:${r.uuid}:[0-9a-f]{32}$`)),
      expect.stringMatching(new RegExp(`^OFFLINE_TRANSFER_NOTIFICATION:${(offline.fields as any).data.uuid}:[0-9a-f]{32}$`)),
    ]);
    const payoutEvent = events[0];
    if (!isEventType(payoutEvent, 'SALARY_STATUS_CHANGE')) throw new Error('not narrowed');
    expect(payoutEvent.data.amount).toBe(1600);
    expect(payoutEvent.data.custominfo.customid).toBe(p.custominfo.customid);
  });

  test('an event SGATE may add later is delivered, never refused, identified by its body', async () => {
    const { events, url } = await start();
    const n = notify({ event: 'ACCOUNT_FROZEN_NOTIFICATION', data: { account: 'SA1', reason: 'x' } });
    expect((await send(url, n)).status).toBe(200);
    expect((await send(url, n)).status).toBe(200);
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe('ACCOUNT_FROZEN_NOTIFICATION');
    expect(events[0].id).toMatch(/^ACCOUNT_FROZEN_NOTIFICATION:body-sha256:[0-9a-f]{64}$/);
    expect(events[0].data).toEqual({ account: 'SA1', reason: 'x' });
  });

  describe('sensitive fields', () => {
    // A value long enough for two RSA blocks, with non-ASCII text.
    const longPicture = `https://files.example/identity/${'ق'.repeat(150)}.jpg`;

    test('with privateKey: decrypted in data and in custominfo (multi-block too); the envelope keeps what was sent', async () => {
      const { events, url } = await start({ privateKey: MERCHANT_PRIVATE_KEY });
      const customer = notify({ encryptFor: merchant.publicKey, data: { identitypic: longPicture } });
      const payout = notify({ event: 'SALARY_STATUS_CHANGE', encryptFor: merchant.publicKey });
      const sentPicture = (customer.fields as any).data.identitypic;
      expect(Buffer.from(sentPicture, 'base64')).toHaveLength(512);
      expect((await send(url, customer)).status).toBe(200);
      expect((await send(url, payout)).status).toBe(200);
      const [customerEvent, payoutEvent] = events;
      if (!isEventType(customerEvent, 'CUSTOM_STATUS_CHANGE') || !isEventType(payoutEvent, 'SALARY_STATUS_CHANGE')) throw new Error('not narrowed');
      expect(customerEvent.data.identitypic).toBe(longPicture);
      expect(customerEvent.data.identity).toBe('1098765432');
      expect((customerEvent.envelope.data as any).identitypic).toBe(sentPicture);
      const info = payoutEvent.data.custominfo;
      expect(info.cardno).toBe('4000001234567899');
      expect(info.identity).toBe('1098765432');
      expect(info.stcaccount).toBe('966500000001');
      expect(info.signpic).toBe('');
      const sentInfo = (payout.fields as any).data.custominfo;
      expect((payoutEvent.envelope.data as any).custominfo.cardno).toBe(sentInfo.cardno);
      expect(sentInfo.cardno).not.toBe('4000001234567899');
    });

    test('without privateKey: delivered exactly as sent (ciphertext)', async () => {
      const { events, url } = await start();
      const n = notify({ encryptFor: merchant.publicKey });
      expect((await send(url, n)).status).toBe(200);
      expect((events[0].data as any).cardno).toBe((n.fields as any).data.cardno);
    });

    test('a field that will not decrypt (wrong privateKey): 500, a clear error naming the field, no value leaked, nothing stored', async () => {
      const { events, errors, store, url } = await start({ privateKey: stranger.privateKey });
      const n = notify({ encryptFor: merchant.publicKey });
      const reply = await send(url, n);
      expect(reply).toMatchObject(failure(500, 'decryption failed'));
      expect(events).toHaveLength(0);
      expect(store.claims).toHaveLength(0);
      expect(errors.map((e) => e.code)).toEqual(['DECRYPTION_FAILED']);
      expect(errors[0].message).toMatch(/^Could not decrypt data\.identity with the configured privateKey: .*another key/);
      const sent = (n.fields as any).data;
      for (const text of [reply.body, errors[0].message]) {
        expect(text).not.toContain(sent.identity.slice(0, 20));
        expect(text).not.toContain('1098765432');
      }
    });

    test('a field sent in plain text while privateKey is set: 500 DECRYPTION_FAILED, not garbage', async () => {
      const { events, errors, url } = await start({ privateKey: MERCHANT_PRIVATE_KEY });
      expect((await send(url, notify())).status).toBe(500);
      expect(events).toHaveLength(0);
      expect(errors[0].message).toContain('data.identity');
      expect(errors[0].message).toContain('not base64');
    });

    test('one field encrypted for another key among good ones: refused as a whole', async () => {
      const { events, errors, url } = await start({ privateKey: MERCHANT_PRIVATE_KEY });
      const n = notify({ encryptFor: merchant.publicKey, data: {} });
      const fields = n.fields as any;
      fields.data.stcaccount = encryptSgateField('966500000001', stranger.publicKey);
      const body = JSON.stringify(fields);
      const headers = { 'content-type': 'application/json', ...signSgateHeaders(body, { privateKey: system.privateKey, apiKey: API_KEY, url: PATH }) };
      expect((await post(url, body, headers)).status).toBe(500);
      expect(events).toHaveLength(0);
      expect(errors[0].message).toContain('data.stcaccount');
    });
  });

  test('options are checked at startup', () => {
    const base = { publicKey: SYSTEM_PUBLIC_KEY, apiKey: API_KEY, onEvent: () => undefined };
    expect(() => createSgateWebhookMiddleware({ ...base, publicKey: 'nope' })).toThrow(/publicKey must be an RSA public key/);
    expect(() => createSgateWebhookMiddleware({ ...base, publicKey: [] })).toThrow(/publicKey is required/);
    expect(() => createSgateWebhookMiddleware({ ...base, apiKey: '' })).toThrow(/apiKey/);
    expect(() => createSgateWebhookMiddleware({ ...base, privateKey: SYSTEM_PUBLIC_KEY })).toThrow(/privateKey must be/);
    expect(() => createSgateWebhookMiddleware({ ...base, notifyUrl: 'notify/sgate' })).toThrow(/notifyUrl/);
    expect(() => createSgateWebhookMiddleware({ ...base, toleranceSeconds: 0 })).toThrow(/toleranceSeconds/);
    expect(() => createSgateWebhookMiddleware(undefined as any)).toThrow(/options are required/);
  });
});
