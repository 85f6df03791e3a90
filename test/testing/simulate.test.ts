/**
 * The simulator's logic (express-payment-webhooks/testing): each provider's
 * notification as the CLI and the demo build it, verified by the real
 * middleware; choices that do not fit a provider; copies sent in a row or at
 * once, against a receiver whose dedup is watched.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { Express } from 'express';
import {
  createCardIssuingWebhookMiddleware,
  createCryptoGatewayWebhookMiddleware,
  createPay247WebhookMiddleware,
  createPingPongKybWebhookMiddleware,
  createSgateWebhookMiddleware,
} from '../../lib';
import {
  buildProviderNotification,
  describeAnswer,
  describeNotification,
  PROVIDER_SIDES,
  simulateProvider,
  SimulatorUsageError,
  summarizeDeliveries,
  withRetrySchedule,
  type ProviderName,
  type SimulatedNotificationOptions,
} from '../../lib/testing';
import { EXPRESS_VERSIONS, type ExpressVersion } from '../helpers/express-versions';
import { listen, post, type Running } from '../helpers/server';

const sgateSystem = generateKeyPairSync('rsa', { modulusLength: 2048 });
const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const SECRET = 'simulator-test-secret-0123456789';

type Events = Array<{ provider: string; type: string; data: any }>;

function receiverApp(express: ExpressVersion, events: Events, hold: { wait?: Promise<void> }): Express {
  const app = express.create();
  const onEvent = async (event: { provider: string; type: string; data: unknown }) => {
    if (hold.wait) await hold.wait;
    events.push({ provider: event.provider, type: event.type, data: event.data });
  };
  app.post('/pay247', createPay247WebhookMiddleware({ secret: SECRET, onEvent }));
  app.post('/sgate', createSgateWebhookMiddleware({ publicKey: sgateSystem.publicKey, apiKey: 'api-key', privateKey: merchant.privateKey, onEvent }));
  app.post('/card-issuing', createCardIssuingWebhookMiddleware({ secret: SECRET, onEvent }));
  app.post('/pingpong-kyb', createPingPongKybWebhookMiddleware({ secret: SECRET, acceptUnsignedStatus: true, onEvent }));
  app.post('/crypto-gateway', createCryptoGatewayWebhookMiddleware({ secret: SECRET, onEvent }));
  return app;
}

function credentials(provider: ProviderName): Partial<SimulatedNotificationOptions> {
  return provider === 'sgate' ? { privateKey: sgateSystem.privateKey, apiKey: 'api-key', encryptFor: merchant.publicKey } : { secret: SECRET };
}

describe.each(EXPRESS_VERSIONS)('buildProviderNotification, verified by the middleware ($name)', (express) => {
  let server: Running;
  const events: Events = [];
  beforeAll(async () => {
    server = await listen(receiverApp(express, events, {}));
  });
  afterAll(() => server.close());
  beforeEach(() => {
    events.length = 0;
  });

  const send = async (provider: ProviderName, options: Partial<SimulatedNotificationOptions> = {}) => {
    const { url, notification } = buildProviderNotification(provider, { url: `${server.url}/${provider}`, ...credentials(provider), ...options });
    const answer = await post(url, notification.body, notification.headers);
    return { answer, notification, url };
  };

  test.each([
    ['pay247', {}, 'payout.succeeded'],
    ['pay247', { format: 'form', status: '3', data: { out_order_no: 'A-1' } }, 'payout.failed'],
    ['sgate', {}, 'CUSTOM_STATUS_CHANGE'],
    ['sgate', { event: 'SALARY_STATUS_CHANGE', status: '3', encryptFor: merchant.publicKey }, 'SALARY_STATUS_CHANGE'],
    ['card-issuing', {}, 'card.status.active'],
    ['card-issuing', { event: 'card.status.freeze', tokenIn: 'header' }, 'card.status.freeze'],
    ['pingpong-kyb', { status: 'PASS' }, 'SM_KYC_REVIEW'],
    ['pingpong-kyb', { type: 'SM_STORE_REVIEW', data: { merchantAccId: 'MAC-9' } }, 'SM_STORE_REVIEW'],
    ['crypto-gateway', {}, 'recharge'],
    ['crypto-gateway', { type: 'transfer', format: 'xml', status: '2' }, 'transfer'],
    ['crypto-gateway', { format: 'form', signIn: 'body', data: { balance: '5.0000000000000000' } }, 'recharge'],
  ] as const)('%s %j is accepted and handled', async (provider, options, type) => {
    const { answer } = await send(provider, options as Partial<SimulatedNotificationOptions>);
    expect(PROVIDER_SIDES[provider].isAcknowledged(answer)).toBe(true);
    expect(events).toEqual([expect.objectContaining({ provider, type })]);
  });

  test('the choices reach the notification', async () => {
    await send('pay247', { format: 'form', status: '3', data: { out_order_no: 'A-1' } });
    expect(events[0].data).toMatchObject({ status: '3', out_order_no: 'A-1' });
    events.length = 0;
    const { notification } = await send('sgate', { event: 'SALARY_STATUS_CHANGE', status: '3', encryptFor: merchant.publicKey, data: { amount: 99 } });
    expect((notification.fields as any).data.custominfo.cardno).not.toBe('4000001234567899');
    expect(events[0].data).toMatchObject({ status: 3, amount: 99, custominfo: { cardno: '4000001234567899' } });
    events.length = 0;
    await send('crypto-gateway', { type: 'transfer', status: '2', data: { ordid: 'W-7' } });
    expect(events[0].data).toMatchObject({ type: 'transfer', status: '2', ordid: 'W-7' });
  });

  test('card-issuing: the token goes in the URL query by default, in the header on request', async () => {
    const query = await send('card-issuing');
    expect(new URL(query.url).searchParams.get('token')).toBe(SECRET);
    expect(query.notification.headers).not.toHaveProperty('X-Webhook-Token');
    const header = await send('card-issuing', { tokenIn: 'header' });
    expect(header.url).toBe(`${server.url}/card-issuing`);
    expect(header.notification.headers['X-Webhook-Token']).toBe(SECRET);
    expect(events).toHaveLength(2);
  });

  test('signed with another secret, it is refused', async () => {
    for (const provider of ['pay247', 'card-issuing', 'pingpong-kyb', 'crypto-gateway'] as const) {
      const { answer } = await send(provider, { secret: 'another-secret-0123456789' });
      expect(answer.status).toBe(401);
    }
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect((await send('sgate', { privateKey: other.privateKey })).answer.status).toBe(401);
    expect(events).toEqual([]);
  });
});

describe('buildProviderNotification: choices that do not fit the provider', () => {
  const url = 'http://127.0.0.1:1/n';
  test.each([
    ['pay247', { secret: 'k', format: 'xml' }, 'format'],
    ['pay247', { secret: 'k', status: '7' }, 'status'],
    ['pay247', { secret: 'k', event: 'x' }, 'event'],
    ['pay247', { secret: 'k', data: { nested: { a: 1 } } }, 'data'],
    ['pay247', {}, 'secret'],
    ['pay247', { secret: 'k', url: 'ftp://x/' }, 'url'],
    ['pay247', { secret: 'k', url: 'not a url' }, 'url'],
    ['sgate', { apiKey: 'a' }, 'privateKey'],
    ['sgate', { privateKey: sgateSystem.privateKey }, 'apiKey'],
    ['sgate', { privateKey: sgateSystem.privateKey, apiKey: 'a', secret: 's' }, 'secret'],
    ['sgate', { privateKey: sgateSystem.privateKey, apiKey: 'a', status: 'ok' }, 'status'],
    ['sgate', { privateKey: sgateSystem.privateKey, apiKey: 'a', event: 'RECEIVING_TRANS_NOTIFICATION', status: '1' }, 'status'],
    ['sgate', { privateKey: 'not a key', apiKey: 'a' }, 'privateKey'],
    ['sgate', { privateKey: sgateSystem.privateKey, apiKey: 'a', encryptFor: sgateSystem.privateKey }, 'encryptFor'],
    ['card-issuing', { secret: 'k', status: '2' }, 'status'],
    ['card-issuing', { secret: 'k', format: 'json' }, 'format'],
    ['pingpong-kyb', { secret: 'k', type: 'SM_OTHER' }, 'type'],
    ['pingpong-kyb', { secret: 'k', tokenIn: 'header' }, 'tokenIn'],
    ['crypto-gateway', { secret: 'k', type: 'withdraw' }, 'type'],
    ['crypto-gateway', { secret: 'k', data: { list: [1] } }, 'data'],
  ] as const)('%s %j: SimulatorUsageError on %s', (provider, options, option) => {
    const build = () => buildProviderNotification(provider, { url, ...(options as object) } as SimulatedNotificationOptions);
    expect(build).toThrow(SimulatorUsageError);
    try {
      build();
    } catch (error) {
      expect((error as SimulatorUsageError).option).toBe(option);
    }
  });
});

describe('withRetrySchedule', () => {
  test('sets the delays where they are a merchant setting', () => {
    expect(withRetrySchedule(PROVIDER_SIDES['crypto-gateway'], [1000, 2000]).retryDelaysMs).toEqual([1000, 2000]);
    expect(withRetrySchedule(PROVIDER_SIDES['card-issuing'], []).retryDelaysMs).toEqual([]);
    expect(PROVIDER_SIDES['crypto-gateway'].retryDelaysMs).toHaveLength(5);
  });

  test.each(['sgate', 'pay247', 'pingpong-kyb'] as const)('refuses to change %s, whose schedule is documented', (provider) => {
    expect(() => withRetrySchedule(PROVIDER_SIDES[provider], [1000])).toThrow(SimulatorUsageError);
  });
});

describe('describing what happened', () => {
  test('answers: status and body, long bodies cut, connection errors by code', () => {
    expect(describeAnswer({ answer: { status: 200, body: 'SUCCESS' }, error: undefined })).toBe('200 "SUCCESS"');
    expect(describeAnswer({ answer: { status: 200, body: '' }, error: undefined })).toBe('200 ""');
    expect(describeAnswer({ answer: { status: 500, body: 'x'.repeat(100) }, error: undefined }, 10)).toBe(`500 "${'x'.repeat(10)}…"`);
    expect(describeAnswer({ answer: undefined, error: 'ECONNREFUSED' })).toBe('ECONNREFUSED');
  });

  test('notifications: ids and states, never card data', () => {
    const card = buildProviderNotification('card-issuing', { url: 'http://x/', secret: 'k', data: { card_no: '4111222233334444' } });
    expect(describeNotification('card-issuing', card.notification.fields)).toMatch(/^card\.status\.active, notify_id \w+$/);
    const pay = buildProviderNotification('pay247', { url: 'http://x/', secret: 'k', data: { out_order_no: 'A1' } });
    expect(describeNotification('pay247', pay.notification.fields)).toMatch(/^payout MP\w+ for order A1, status 2, amount 100\.0000$/);
  });
});

describe.each(EXPRESS_VERSIONS)('simulateProvider: copies of one notification ($name)', (express) => {
  let server: Running;
  const events: Events = [];
  const hold: { wait?: Promise<void> } = {};
  let refused = 0;
  let onRefused = () => undefined as void;
  beforeAll(async () => {
    const app = express.create();
    // Counts the in-flight refusals, so that the test can hold the first handler until every other copy was refused.
    app.use((_req, res, next) => {
      res.on('finish', () => {
        if (res.statusCode === 503) {
          refused++;
          onRefused();
        }
      });
      next();
    });
    app.use(receiverApp(express, events, hold));
    server = await listen(app);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    events.length = 0;
    refused = 0;
    hold.wait = undefined;
  });

  test('in a row (duplicate): each copy is acknowledged, the handler runs once', async () => {
    const { url, notification } = buildProviderNotification('pay247', { url: `${server.url}/pay247`, secret: SECRET });
    const seen: number[] = [];
    const report = await simulateProvider({ url, notification, side: PROVIDER_SIDES.pay247, duplicate: 3, onAttempt: (copy) => seen.push(copy) });
    expect(report.acknowledged).toBe(true);
    expect(seen).toEqual([1, 2, 3]);
    expect(events).toHaveLength(1);
    expect(summarizeDeliveries(report.deliveries)).toEqual({ copies: 3, acknowledged: 3, firstAnswers: [{ answer: '200 "SUCCESS"', count: 3 }], attempts: [1, 1, 1] });
  });

  test('at once (concurrent): one runs, the others are answered "in flight" and acknowledged on their retry', async () => {
    const copies = 3;
    hold.wait = new Promise<void>((resolve) => {
      onRefused = () => {
        if (refused === copies - 1) resolve();
      };
    });
    const { url, notification } = buildProviderNotification('crypto-gateway', { url: `${server.url}/crypto-gateway`, secret: SECRET });
    const report = await simulateProvider({ url, notification, side: PROVIDER_SIDES['crypto-gateway'], concurrent: copies, sleep: async () => undefined });
    expect(report.acknowledged).toBe(true);
    expect(events).toHaveLength(1);
    const summary = summarizeDeliveries(report.deliveries);
    expect(summary.firstAnswers).toEqual(expect.arrayContaining([{ answer: '200 "success"', count: 1 }, { answer: '503 "fail"', count: 2 }]));
    expect(summary.attempts.sort()).toEqual([1, 2, 2]);
  });

  test('not acknowledged when a copy never is; duplicate and concurrent together is a usage error', async () => {
    const { url, notification } = buildProviderNotification('pay247', { url: `${server.url}/pay247`, secret: 'wrong-secret' });
    const report = await simulateProvider({ url, notification, side: PROVIDER_SIDES.pay247, attempts: 2, duplicate: 2, sleep: async () => undefined });
    expect(report.acknowledged).toBe(false);
    expect(report.deliveries.map((delivery) => delivery.attempts.length)).toEqual([2, 2]);
    await expect(simulateProvider({ url, notification, side: PROVIDER_SIDES.pay247, duplicate: 2, concurrent: 2 })).rejects.toThrow(SimulatorUsageError);
    await expect(simulateProvider({ url, notification, side: PROVIDER_SIDES.pay247, concurrent: 0 })).rejects.toThrow(SimulatorUsageError);
  });
});
