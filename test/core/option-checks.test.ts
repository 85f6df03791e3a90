/**
 * Misuse gets a message that names the fix: missing options, misspelt
 * option names, a store that is not one, Redis and SQLite options missing
 * what they need, and the secure defaults' explicit opt-outs; the same
 * checks for every server's factories (node:http, Fetch, Fastify, Koa).
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  createCardIssuingWebhookMiddleware,
  createCryptoGatewayWebhookMiddleware,
  createPay247WebhookMiddleware,
  createPingPongKybWebhookMiddleware,
  createSgateWebhookMiddleware,
  PINGPONG_SENDER_IPS,
  RedisDedupStore,
  RedisInbox,
  SqliteInbox,
} from '../../lib';
import * as fastifyAdapter from '../../lib/fastify';
import * as fetchAdapter from '../../lib/fetch';
import * as koaAdapter from '../../lib/koa';
import * as nodeAdapter from '../../lib/node';

const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const onEvent = () => undefined;

type Factory = (options: any) => unknown;
type FactoryRow = [name: string, label: string, create: Factory, required: Record<string, unknown>];

const REQUIRED: Array<[stem: string, required: Record<string, unknown>]> = [
  ['Pay247', { secret: 'pay247-secret' }],
  ['Sgate', { publicKey, apiKey: 'sgate-api-key' }],
  ['CardIssuing', { secret: 'card-issuing-secret-0123456789' }],
  ['PingPongKyb', { secret: 'salt', allowIps: PINGPONG_SENDER_IPS.production }],
  ['CryptoGateway', { secret: 'crypto-secret' }],
];

const SERVER_MODULES: Array<[server: string, module: object]> = [
  ['node:http', nodeAdapter],
  ['Fetch', fetchAdapter],
  ['Fastify', fastifyAdapter],
  ['Koa', koaAdapter],
];

const factoryOf = (module: object, name: string): Factory => (module as Record<string, Factory>)[name];

/** [name in messages, label, factory, required options]: the Express middleware factories, then every server's handler factories. */
const FACTORIES: FactoryRow[] = [
  ...REQUIRED.map(([stem, required]): FactoryRow => {
    const name = `create${stem}WebhookMiddleware`;
    return [name, name, factoryOf({ createPay247WebhookMiddleware, createSgateWebhookMiddleware, createCardIssuingWebhookMiddleware, createPingPongKybWebhookMiddleware, createCryptoGatewayWebhookMiddleware }, name), required];
  }),
  ...SERVER_MODULES.flatMap(([server, module]) =>
    REQUIRED.map(([stem, required]): FactoryRow => {
      const name = `create${stem}WebhookHandler`;
      return [name, `${server} ${name}`, factoryOf(module, name), required];
    }),
  ),
];

describe.each(FACTORIES)('%s (%s)', (name, _label, create, required) => {
  test.each([undefined, null, 'secret', [required]])('options %p: "options are required", with the call to write', (options) => {
    expect(() => create(options)).toThrow(new RegExp(`: options are required: ${name}\\(\\{ `));
  });

  test.each([
    ['handlerTimeout', 'handlerTimeoutMs'],
    ['onevent', 'onEvent'],
    ['allowIp', 'allowIps'],
    ['doneTTLms', 'doneTtlMs'],
    ['lockTtl', 'lockTtlMs'],
  ])('an unknown option %s is refused, naming it and suggesting %s', (typo, meant) => {
    expect(() => create({ ...required, onEvent, [typo]: 1000 })).toThrow(`unknown option "${typo}". Did you mean ${meant}?`);
  });

  test('a name nothing is close to lists the known options', () => {
    expect(() => create({ ...required, onEvent, zzzzzzzz: true })).toThrow(/unknown option "zzzzzzzz"\. Known options: onEvent, store, .*logger/);
  });

  test.each([null, {}, { claim: () => undefined }, 'redis://127.0.0.1'])('store %p without claim, renew, complete and release is refused', (store) => {
    expect(() => create({ ...required, onEvent, store })).toThrow(/store must be a DedupStore \(with claim, renew, complete, release\)/);
  });

  test('every documented option is accepted', () => {
    expect(() =>
      create({ ...required, onEvent, store: undefined, dedupKey: undefined, limit: '64kb', handlerTimeoutMs: 100, readTimeoutMs: 100, lockTtlMs: 1000, doneTtlMs: 1000, onError: undefined, logger: false }),
    ).not.toThrow();
  });
});

test('provider-specific names are known to their own factory only', () => {
  expect(() => createPay247WebhookMiddleware({ secret: 's', successBody: 'success', onEvent })).not.toThrow();
  expect(() => createCryptoGatewayWebhookMiddleware({ secret: 's', successBody: 'success', onEvent } as never)).toThrow('unknown option "successBody"');
  expect(() => createSgateWebhookMiddleware({ publicKey, apiKey: 'k', notifyURL: '/x', onEvent } as never)).toThrow('unknown option "notifyURL". Did you mean notifyUrl?');
});

describe('PingPong KYB: unsigned status only with an explicit choice', () => {
  test.each(SERVER_MODULES)('on %s too: neither allowIps nor confirm is refused; acceptUnsignedStatus: true suffices', (_server, module) => {
    const create = factoryOf(module, 'createPingPongKybWebhookHandler');
    expect(() => create({ secret: 'salt', onEvent })).toThrow(/does not sign status, comment or reviewDetail/);
    expect(() => create({ secret: 'salt', onEvent, acceptUnsignedStatus: 'yes' })).toThrow('acceptUnsignedStatus must be true or false');
    expect(() => create({ secret: 'salt', onEvent, acceptUnsignedStatus: true })).not.toThrow();
  });

  test('neither allowIps nor confirm: refused, naming the three ways out', () => {
    expect(() => createPingPongKybWebhookMiddleware({ secret: 'salt', onEvent })).toThrow(
      /does not sign status, comment or reviewDetail.*allowIps: PINGPONG_SENDER_IPS\.production.*confirm: .*acceptUnsignedStatus: true/,
    );
    expect(() => createPingPongKybWebhookMiddleware({ secret: 'salt', onEvent, acceptUnsignedStatus: false })).toThrow(/acceptUnsignedStatus: true/);
  });

  test('allowIps, confirm, or acceptUnsignedStatus: true each suffice', () => {
    expect(() => createPingPongKybWebhookMiddleware({ secret: 'salt', onEvent, allowIps: PINGPONG_SENDER_IPS.sandbox })).not.toThrow();
    expect(() => createPingPongKybWebhookMiddleware({ secret: 'salt', onEvent, confirm: () => true })).not.toThrow();
    expect(() => createPingPongKybWebhookMiddleware({ secret: 'salt', onEvent, acceptUnsignedStatus: true })).not.toThrow();
  });

  test('acceptUnsignedStatus must be a boolean', () => {
    expect(() => createPingPongKybWebhookMiddleware({ secret: 'salt', onEvent, acceptUnsignedStatus: 'yes' as never })).toThrow('acceptUnsignedStatus must be true or false');
  });
});

describe('RedisDedupStore and the inboxes say what is missing', () => {
  test.each([
    ['{ url: undefined }', () => new RedisDedupStore({ url: undefined }), /RedisDedupStore: url is undefined \(is the environment variable it comes from set\?\): give url: 'redis:\/\/127\.0\.0\.1:6379', or client/],
    ['{}', () => new RedisDedupStore({}), /RedisDedupStore: url or client is missing: give url: /],
    ['both', () => new RedisDedupStore({ url: 'redis://127.0.0.1:1', client: {} as never }), /give either url or client, not both/],
    ['RedisInbox { url: undefined }', () => new RedisInbox({ url: undefined }), /\(RedisInbox\): url is undefined \(is the environment variable it comes from set\?\)/],
    ['RedisInbox {}', () => new RedisInbox({}), /\(RedisInbox\): url or client is missing/],
    ['RedisInbox no options', () => new RedisInbox(undefined as never), /\(RedisInbox\): options are required: new RedisInbox\(\{ url: /],
    ['RedisInbox typo', () => new RedisInbox({ url: 'redis://127.0.0.1:1', prefx: 'x' } as never), /\(RedisInbox\): unknown option "prefx"\. Did you mean prefix\?/],
    ['RedisInbox url not a string', () => new RedisInbox({ url: 6379 as never }), /url must be a redis:\/\/ or rediss:\/\/ URL/],
    ['SqliteInbox { path: undefined }', () => new SqliteInbox({ path: undefined as never }), /\(SqliteInbox\): path is missing \(undefined: is the environment variable it comes from set\?\): give path: /],
    ['SqliteInbox {}', () => new SqliteInbox({} as never), /\(SqliteInbox\): path is missing: give path: '\.\/webhooks-inbox\.db'/],
    ['SqliteInbox no options', () => new SqliteInbox(undefined as never), /\(SqliteInbox\): options are required: new SqliteInbox\(\{ path: /],
    ['SqliteInbox typo', () => new SqliteInbox({ path: ':memory:', leaseMS: 10 } as never), /\(SqliteInbox\): unknown option "leaseMS"\. Did you mean leaseMs\?/],
    ['SqliteInbox logger', () => new SqliteInbox({ path: ':memory:', logger: {} as never }), /\(SqliteInbox\): logger must have info, warn and error methods/],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});
