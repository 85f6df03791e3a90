/**
 * Card-issuing OPEN-API end to end over real HTTP, on Express 5 and 4: the
 * answers table (test/helpers/answers-table.ts) with the token forgeries; here,
 * what is the provider's own: the token in the query and in the header,
 * event_data decoding, confirm, and no card data in any answer or error.
 */
import { createCardIssuingWebhookMiddleware, isEventType, type CardIssuingEvent, type CardIssuingOptions } from '../../lib';
import { buildCardIssuingNotification, cardIssuingCallbackUrl } from '../../lib/testing';
import { answersTable } from '../helpers/answers-table';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { webhookApps } from '../helpers/webhook-app';
import { post } from '../helpers/server';

const TOKEN = 'cit_6f1d2c0b9a8e7f6d5c4b3a29';
const PATH = '/notify/cards';
const SUCCESS = '{"code":0,"message":"success"}';

type Built = ReturnType<typeof buildCardIssuingNotification>;
const notify = (options: Parameters<typeof buildCardIssuingNotification>[0] = {}): Built => buildCardIssuingNotification({ token: TOKEN, ...options });
const failure = (status: number, reason: string) => ({ status, body: JSON.stringify({ code: status, message: reason }) });
/** This provider's 401s name a token, not a signature. */
const REASONS: Record<string, string> = { SIGNATURE_MISSING: 'token missing', SIGNATURE_MISMATCH: 'token invalid' };

answersTable({
  provider: 'card-issuing',
  path: PATH,
  stem: 'CardIssuing',
  options: (options) => ({ secret: TOKEN, ...options }),
  notification: () => notify(),
  large: (bytes) => notify({ data: { remark: 'x'.repeat(bytes) } }),
  forgeries: [
    ['no token at all', () => notify({ token: undefined }), 'SIGNATURE_MISSING'],
    ['a wrong header token', () => notify({ token: 'x'.repeat(TOKEN.length) }), 'SIGNATURE_MISMATCH'],
    ['a wrong query token', () => ({ ...notify({ token: undefined }), target: (url) => cardIssuingCallbackUrl(url, 'guess') }), 'SIGNATURE_MISMATCH'],
    ['an empty query token', () => ({ ...notify({ token: undefined }), target: (url) => `${url}?token=` }), 'SIGNATURE_MISMATCH'],
    ['the right token with a suffix', () => notify({ token: `${TOKEN}x` }), 'SIGNATURE_MISMATCH'],
    ['a right query token but a wrong header token', () => ({ ...notify({ token: 'wrong' }), target: (url) => cardIssuingCallbackUrl(url, TOKEN) }), 'SIGNATURE_MISMATCH'],
    [
      'the right token and a second, wrong, one in the query',
      () => ({ ...notify({ token: undefined }), target: (url) => `${cardIssuingCallbackUrl(url, TOKEN)}&token=guess` }),
      'SIGNATURE_MISMATCH',
    ],
  ],
  malformed: [
    ['malformed JSON', 'application/json', '{"notify_id":', 'BODY_MALFORMED'],
    ['a repeated key', 'application/json', '{"notify_id":"a","notify_id":"b","event":"x","event_data":"{}"}', 'BODY_MALFORMED'],
  ],
  unsupportedTypes: ['text/plain', 'application/x-www-form-urlencoded'],
  successBody: SUCCESS,
  failureBody: (status, code) => failure(status, REASONS[code] ?? code.toLowerCase().replace(/_/g, ' ')).body,
});

describe.each(EXPRESS_VERSIONS)('card-issuing on $name', (express) => {
  const startApp = webhookApps();

  async function start(options: Partial<CardIssuingOptions> = {}, setup?: (app: any) => void) {
    return startApp<CardIssuingEvent>((r) => createCardIssuingWebhookMiddleware({ secret: TOKEN, ...r.options, ...options }), { express, path: PATH, setup });
  }
  const send = (url: string, n: { headers: Record<string, string>; body: string }) => post(url, n.body, n.headers);

  test('verified and handled: a JSON ack, event_data decoded, the original string kept', async () => {
    const { events, errors, url } = await start();
    const n = notify({ event: 'card.status.freeze', notifyId: '4c5cbavb43990a8d82b221257' });
    const reply = await send(url, n);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(events).toHaveLength(1);
    const event = events[0];
    expect(event).toMatchObject({ provider: 'card-issuing', id: '4c5cbavb43990a8d82b221257', type: 'card.status.freeze', signedFields: [] });
    expect(event.envelope).toEqual(n.fields);
    expect(typeof event.envelope.event_data).toBe('string');
    expect(event.data).toEqual(JSON.parse((n.fields as any).event_data));
    expect(Object.getPrototypeOf(event.data)).toBeNull();
    if (!isEventType(event, 'card.status.freeze')) throw new Error('not narrowed');
    expect(event.data.balance).toBe(10);
    expect(event.data.expiry).toBe('03/28');
    expect(errors).toEqual([]);
  });

  test('the token in the callback URL query, as registered with the provider', async () => {
    const { events, url } = await start();
    const n = notify({ token: undefined });
    expect((await send(cardIssuingCallbackUrl(url, TOKEN), n)).status).toBe(200);
    expect((await send(cardIssuingCallbackUrl(`${url}?shop=1`, TOKEN), notify({ token: undefined }))).status).toBe(200);
    expect(events).toHaveLength(2);
  });

  test('a rotation: either secret is accepted', async () => {
    const { events, url } = await start({ secret: ['new-token-0123456789abcdef', TOKEN] });
    expect((await send(url, notify())).status).toBe(200);
    expect((await send(url, notify({ token: 'new-token-0123456789abcdef' }))).status).toBe(200);
    expect(events).toHaveLength(2);
  });

  test.each([
    ['no notify_id', '{"customer_id":1,"event":"card.status.active","event_data":"{}"}', 'BODY_INVALID'],
    ['no event', '{"notify_id":"a","customer_id":1,"event_data":"{}"}', 'BODY_INVALID'],
    ['event_data an object, not a string', '{"notify_id":"a","customer_id":1,"event":"x","event_data":{"card_id":"c"}}', 'BODY_INVALID'],
    ['event_data the documentation\'s own placeholder "event_data" (not JSON)', '{"notify_id":"a","customer_id":1000001,"event":"event_tag","event_data":"event_data"}', 'BODY_INVALID'],
    ['event_data a JSON array', '{"notify_id":"a","customer_id":1,"event":"x","event_data":"[1,2]"}', 'BODY_INVALID'],
    ['event_data repeating a key', '{"notify_id":"a","customer_id":1,"event":"x","event_data":"{\\"cvv\\":\\"1\\",\\"cvv\\":\\"2\\"}"}', 'BODY_INVALID'],
    ['event_data with __proto__', '{"notify_id":"a","customer_id":1,"event":"x","event_data":"{\\"__proto__\\":{\\"admin\\":true}}"}', 'BODY_INVALID'],
    ['customer_id an object', '{"notify_id":"a","customer_id":{},"event":"x","event_data":"{}"}', 'BODY_INVALID'],
  ])('correctly authenticated but the wrong shape (%s): 400, handler not called', async (_name, body, code) => {
    const { events, errors, url } = await start();
    const reply = await post(url, body, { 'content-type': 'application/json', 'x-webhook-token': TOKEN });
    expect(reply).toMatchObject(failure(400, code.toLowerCase().replace(/_/g, ' ')));
    expect(events).toHaveLength(0);
    expect(errors.map((e) => e.code)).toEqual([code]);
    expect(({} as any).admin).toBeUndefined();
  });

  test('a global express.json() ran first: the parsed body is used (no signature covers raw bytes), the token still checked', async () => {
    const { events, url } = await start({}, (app) => app.use(express.json()));
    expect((await send(url, notify())).status).toBe(200);
    expect((await send(url, notify({ token: 'wrong' }))).status).toBe(401);
    expect(events).toHaveLength(1);
  });

  test('confirm: false → 409 and not acked; throws → 502; true → handled. The handler runs only after confirmation', async () => {
    const answers: (boolean | 'throw')[] = [false, 'throw', true];
    const confirmed: string[] = [];
    let calls = 0;
    const { errors, url } = await start({
      confirm: async (event) => {
        confirmed.push(event.id);
        const answer = answers.shift();
        if (answer === 'throw') throw new Error('provider API down');
        return answer as boolean;
      },
      onEvent: () => {
        calls++;
      },
    });
    const n = notify({ notifyId: 'n-confirm-1' });
    expect(await send(url, n)).toMatchObject(failure(409, 'not confirmed'));
    const thrown = await send(url, n);
    expect(thrown).toMatchObject(failure(502, 'confirm failed'));
    expect(thrown.body).not.toContain('provider API down');
    expect(calls).toBe(0);
    expect(await send(url, n)).toMatchObject({ status: 200, body: SUCCESS });
    expect(calls).toBe(1);
    expect(confirmed).toEqual(['n-confirm-1', 'n-confirm-1', 'n-confirm-1']);
    expect(errors.map((e) => e.code)).toEqual(['NOT_CONFIRMED', 'CONFIRM_FAILED']);
  });

  test('other groups (order, card trade, payee, payment, wallet) are delivered with their tag and decoded data', async () => {
    const { events, url } = await start();
    const n = notify({ event: 'wallet.transaction.success', data: { wallet_id: 'w1', amount: '12.50' } });
    expect((await send(url, n)).status).toBe(200);
    expect(events[0].type).toBe('wallet.transaction.success');
    expect(events[0].data).toEqual({ wallet_id: 'w1', amount: '12.50' });
  });

  test('card number, CVV and PIN never appear in an answer or an error', async () => {
    const card = { card_no: '5555666677778888', cvv: '987', pin: '4321' };
    const { errors, url } = await start({
      onEvent: () => {
        throw new Error('failed');
      },
    });
    const replies = [
      await send(url, notify({ data: card })),
      await send(url, notify({ data: card, token: 'wrong' })),
      await post(url, JSON.stringify({ notify_id: 'a', event: 'x', event_data: `{"card_no":"${card.card_no}","cvv":"${card.cvv}",` }), {
        'content-type': 'application/json',
        'x-webhook-token': TOKEN,
      }),
    ];
    expect(replies.map((r) => r.status)).toEqual([500, 401, 400]);
    const texts = [...replies.map((r) => r.body), ...errors.map((e) => `${e.message} ${String((e as any).cause?.message ?? '')}`)];
    for (const text of texts) for (const secret of Object.values(card)) expect(text).not.toContain(secret);
    for (const text of texts) expect(text).not.toContain(TOKEN);
  });

  test('options are checked at startup', () => {
    const onEvent = () => undefined;
    expect(() => createCardIssuingWebhookMiddleware({ secret: 'short', onEvent })).toThrow(/at least 16 characters/);
    expect(() => createCardIssuingWebhookMiddleware({ secret: [], onEvent })).toThrow(/secret must be/);
    expect(() => createCardIssuingWebhookMiddleware({ secret: TOKEN } as any)).toThrow(/onEvent/);
    expect(() => createCardIssuingWebhookMiddleware(undefined as any)).toThrow(/options are required/);
  });
});
