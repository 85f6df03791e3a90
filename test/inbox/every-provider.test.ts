/**
 * Inbox mode hands every provider's handler the very event it gets without
 * the inbox: the same signed notification is sent to a middleware without an
 * inbox and to one with it (each backend), and the two events must be deep
 * strictly equal, prototypes included (`envelope` and all), but for
 * receivedAt, which is each request's own.
 */
import { generateKeyPairSync } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  createCardIssuingWebhookMiddleware,
  createCryptoGatewayWebhookMiddleware,
  createPay247WebhookMiddleware,
  createPingPongKybWebhookMiddleware,
  createSgateWebhookMiddleware,
  type AnyWebhookEvent,
  type WebhookMiddleware,
} from '../../lib';
import { buildProviderNotification, type ProviderName, type SimulatedNotificationOptions } from '../../lib/testing';
import { deferred } from '../helpers/async';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { describeWithRedis } from '../helpers/redis-server';
import { listen, post } from '../helpers/server';
import { redisBackend, sqliteBackend, type AnyInbox, type Backend } from './backends';

const SECRET = 'every-provider-secret';
const system = generateKeyPairSync('rsa', { modulusLength: 2048 });
const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const API_KEY = 'sgate-api-key';

interface ProviderCase {
  provider: ProviderName;
  create(options: { inbox?: AnyInbox; onEvent(event: AnyWebhookEvent): void }): WebhookMiddleware;
  choices: Omit<SimulatedNotificationOptions, 'url'>;
}

const CASES: ProviderCase[] = [
  { provider: 'pay247', create: (o) => createPay247WebhookMiddleware({ secret: SECRET, ...o }), choices: { secret: SECRET } },
  { provider: 'pay247', create: (o) => createPay247WebhookMiddleware({ secret: SECRET, ...o }), choices: { secret: SECRET, format: 'form' } },
  {
    provider: 'sgate',
    create: (o) => createSgateWebhookMiddleware({ publicKey: system.publicKey, apiKey: API_KEY, privateKey: merchant.privateKey, ...o }),
    choices: { privateKey: system.privateKey, apiKey: API_KEY, encryptFor: merchant.publicKey },
  },
  { provider: 'card-issuing', create: (o) => createCardIssuingWebhookMiddleware({ secret: SECRET, ...o }), choices: { secret: SECRET } },
  { provider: 'pingpong-kyb', create: (o) => createPingPongKybWebhookMiddleware({ secret: SECRET, ...o }), choices: { secret: SECRET } },
  { provider: 'crypto-gateway', create: (o) => createCryptoGatewayWebhookMiddleware({ secret: SECRET, ...o }), choices: { secret: SECRET, format: 'xml' } },
  {
    provider: 'crypto-gateway',
    create: (o) => createCryptoGatewayWebhookMiddleware({ secret: SECRET, ...o }),
    choices: { secret: SECRET, type: 'transfer', format: 'form' },
  },
];

const PATH = '/notify';

/** Posts the notification to the middleware on a fresh server and resolves with the event its handler got. */
async function eventThrough(c: ProviderCase, target: string, notification: { headers: Record<string, string>; body: string | Buffer }, inbox?: AnyInbox) {
  const received = deferred<AnyWebhookEvent>();
  const app = EXPRESS_VERSIONS[0].create();
  app.post(PATH, c.create({ inbox, onEvent: (event) => received.resolve(event) }));
  const server = await listen(app);
  try {
    const reply = await post(`${server.url}${target}`, notification.body, notification.headers);
    expect(reply.status).toBe(200);
    return await received.promise;
  } finally {
    await server.close();
  }
}

function describeEveryProvider(backend: Backend): void {
  describe(backend.name, () => {
    afterEach(() => backend.closeAll());

    test.each(CASES.map((c) => [`${c.provider} ${JSON.stringify(c.choices.format ?? '')} ${c.choices.type ?? ''}`, c] as const))(
      '%s: the handler gets the same event through the inbox as without it',
      async (_name, c) => {
        const built = buildProviderNotification(c.provider, { url: `http://127.0.0.1${PATH}`, ...c.choices });
        const target = new URL(built.url);
        const path = target.pathname + target.search;
        const direct = await eventThrough(c, path, built.notification);
        const viaInbox = await eventThrough(c, path, built.notification, backend.fresh()());
        expect(viaInbox.receivedAt).toBeInstanceOf(Date);
        const expected = { ...direct, receivedAt: viaInbox.receivedAt };
        expect(viaInbox).toStrictEqual(expected);
        expect(isDeepStrictEqual(viaInbox, expected)).toBe(true);
      },
    );
  });
}

describe('every provider in inbox mode', () => {
  const sqlite = sqliteBackend();
  afterAll(() => sqlite.dispose());
  describeEveryProvider(sqlite);
});

describeWithRedis('every provider in inbox mode (Redis)', () => {
  const redis = redisBackend();
  beforeAll(() => redis.start());
  afterAll(() => redis.server()?.stop());
  describeEveryProvider(redis);
});
