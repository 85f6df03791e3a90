'use strict';
// Every variant the HTTP benchmark measures: one entry each. A variant is
//   name       short id, used in the table, the JSON and profile file names
//   label      what it is, in words
//   server     { module, options }: a module in bench/servers/ that returns a
//              request listener; run in its own process (bench/harness/server-process.js).
//              options.path is the request generator's path (without its query) unless set.
//   request    a request generator (bench/requests/): method, path, headers and
//              body(seq), where a distinct seq gives a distinct notification
//   expectBody the answer a handled request gets; anything else fails the run
//   role       'baseline' (ratios are to it; exactly one) or 'ceiling'; omitted for the rest
//   target     the target ratio to the baseline it must reach
//   targetVs   { variant, ratio }: a target relative to another variant instead (same rounds);
//              `--only` brings that variant along; without `ratio`, the ratio is shown, not judged
//   services   backing services the harness starts for it ('redis', 'postgres'); the server gets
//              their addresses as options.services
//   handledLater  onEvent runs after the ack (inbox): the handled count may trail the 2xx count
//   sameBodiesOk  nothing is deduplicated, so a small pool of bodies is sent round and round
//   yardstickOf   the variant this one is a yardstick for: their ratio is printed below the table
//   otherRoute    false: the server is the webhook alone (not an Express app), so the other
//                 route (bench/servers/other-route.js) is not probed under its load
// Every request body is distinct (unless sameBodiesOk); servers count the
// requests their handler ran, and the harness checks that against the 2xx
// answers (no duplicate was answered from the dedup store instead of doing the work).
const { pay247Requests } = require('./requests/pay247');
const { generateKeyPairSync } = require('node:crypto');
const { cardIssuingRequests, cryptoGatewayRequests, pingPongKybRequests, sgateRequests } = require('./requests/providers');

const PAY247_SECRET = 'bench-pay247-key';
const pay247Json = pay247Requests({ secret: PAY247_SECRET, format: 'json' });
const pay247Form = pay247Requests({ secret: PAY247_SECRET, format: 'form' });
const PINGPONG_SALT = 'bench-pingpong-salt';
const CARD_TOKEN = 'bench-card-issuing-token-0123456789';
const CRYPTO_KEY = 'bench-crypto-gateway-key';
const SGATE_API_KEY = 'bench-sgate-api-key';
const SGATE_KEYS = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

/**
 * The baseline's route fed another provider's bodies. A JSON provider's 0.95
 * target is judged against it: express.json() too pays for a longer body (the
 * PingPong KYB body is ~3× Pay247's, nested, in Chinese), and that cost is
 * not the middleware's.
 */
function bareRouteWith(provider, request) {
  return {
    name: `express-json-${provider}-bodies`,
    label: `the baseline route (express.json(), answers success) fed ${provider} bodies`,
    sameBodiesOk: true,
    server: { module: 'bench/servers/express-json.js' },
    request,
    expectBody: 'success',
  };
}

const sgateJson = sgateRequests({ privateKey: SGATE_KEYS.privateKey, apiKey: SGATE_API_KEY });
const pingPongKybJson = pingPongKybRequests({ secret: PINGPONG_SALT });
const cardIssuingJson = cardIssuingRequests({ token: CARD_TOKEN });
const cryptoGatewayJson = cryptoGatewayRequests({ secret: CRYPTO_KEY, format: 'json' });

/**
 * The full middleware path for one provider: the factory the package exports, its
 * options (JSON: secrets, keys), and `store` / `inbox` by name (bench/servers/webhook-route.js).
 */
function webhookRoute(factory, middleware, extra = {}) {
  // `extra.adapter`: the server other than Express 5 (node, fetch, fastify).
  return { module: 'bench/servers/webhook-route.js', options: { factory, middleware, ...extra } };
}

module.exports = [
  {
    name: 'express-json',
    label: 'Express 5 route, express.json(), answers success (no checks)',
    role: 'baseline',
    sameBodiesOk: true,
    server: { module: 'bench/servers/express-json.js' },
    request: pay247Json,
    expectBody: 'success',
  },
  {
    name: 'pay247-json',
    label: 'Pay247 v2.0 JSON: read, verify, claim (memory), onEvent, ack',
    target: 0.95,
    server: webhookRoute('createPay247WebhookMiddleware', { secret: PAY247_SECRET }),
    request: pay247Json,
    expectBody: 'SUCCESS',
  },
  {
    name: 'pay247-json-accounts',
    label: 'pay247-json on a route for many merchant accounts: resolveCredentials (cached) gives the mch_id its key',
    targetVs: { variant: 'pay247-json', ratio: 0.95 },
    server: webhookRoute('createPay247WebhookMiddleware', {}, { accounts: { 12345678: { secret: PAY247_SECRET }, 87654321: { secret: 'another-account-key' } } }),
    request: pay247Json,
    expectBody: 'SUCCESS',
  },
  {
    name: 'pay247-json-otel-absent',
    label: 'pay247-json in an app without @opentelemetry/api (nothing of it loaded)',
    server: webhookRoute('createPay247WebhookMiddleware', { secret: PAY247_SECRET }, { otel: 'absent' }),
    request: pay247Json,
    expectBody: 'SUCCESS',
  },
  {
    name: 'pay247-json-otel-noop',
    label: 'pay247-json with @opentelemetry/api installed and no SDK registered (the same server as pay247-json)',
    targetVs: { variant: 'pay247-json-otel-absent', ratio: 0.95 },
    server: webhookRoute('createPay247WebhookMiddleware', { secret: PAY247_SECRET }),
    request: pay247Json,
    expectBody: 'SUCCESS',
  },
  {
    name: 'pay247-json-otel-sdk',
    label: 'pay247-json with the OpenTelemetry SDK recording every span and metric (not exported)',
    server: webhookRoute('createPay247WebhookMiddleware', { secret: PAY247_SECRET }, { otel: 'sdk' }),
    request: pay247Json,
    expectBody: 'SUCCESS',
  },
  {
    name: 'pay247-form',
    label: 'Pay247 v1.0 form: read, verify, claim (memory), onEvent, ack',
    target: 0.85,
    server: webhookRoute('createPay247WebhookMiddleware', { secret: PAY247_SECRET }),
    request: pay247Form,
    expectBody: 'SUCCESS',
  },

  // ---- the other providers on their main content type ----
  bareRouteWith('sgate', sgateJson),
  {
    name: 'sgate-json',
    label: 'SGATE JSON: read, verify (MD5 signing data, RSA-2048 MD5withRSA), claim, onEvent, ack',
    targetVs: { variant: 'express-json-sgate-bodies', ratio: 0.95 },
    // A fixed set of signed bodies, resent: see sgateRequests. doneTtlMs 1 so each is handled again.
    sameBodiesOk: true,
    server: webhookRoute('createSgateWebhookMiddleware', { publicKey: SGATE_KEYS.publicKey, apiKey: SGATE_API_KEY, doneTtlMs: 1 }),
    request: sgateJson,
    expectBody: '{"code":200,"message":"success"}',
  },
  bareRouteWith('pingpong-kyb', pingPongKybJson),
  {
    name: 'pingpong-kyb-json',
    label: 'PingPong KYB JSON: read, verify (5 fields), digest id, claim, onEvent, ack',
    targetVs: { variant: 'express-json-pingpong-kyb-bodies', ratio: 0.95 },
    server: webhookRoute('createPingPongKybWebhookMiddleware', { secret: PINGPONG_SALT, acceptUnsignedStatus: true }),
    request: pingPongKybJson,
    expectBody: '',
  },
  bareRouteWith('card-issuing', cardIssuingJson),
  {
    name: 'card-issuing-json',
    label: 'card-issuing JSON: read, URL token, decode event_data, claim, onEvent, ack',
    targetVs: { variant: 'express-json-card-issuing-bodies', ratio: 0.95 },
    server: webhookRoute('createCardIssuingWebhookMiddleware', { secret: CARD_TOKEN }),
    request: cardIssuingJson,
    expectBody: '{"code":0,"message":"success"}',
  },
  bareRouteWith('crypto-gateway', cryptoGatewayJson),
  {
    name: 'crypto-gateway-json',
    label: 'crypto gateway JSON: read, verify, claim, onEvent, ack',
    targetVs: { variant: 'express-json-crypto-gateway-bodies', ratio: 0.95 },
    server: webhookRoute('createCryptoGatewayWebhookMiddleware', { secret: CRYPTO_KEY }),
    request: cryptoGatewayJson,
    expectBody: 'success',
  },

  // ---- crypto gateway XML and form paths ----
  {
    name: 'crypto-gateway-form',
    label: 'crypto gateway form: read, verify, claim, onEvent, ack',
    target: 0.85,
    server: webhookRoute('createCryptoGatewayWebhookMiddleware', { secret: CRYPTO_KEY }),
    request: cryptoGatewayRequests({ secret: CRYPTO_KEY, format: 'form' }),
    expectBody: 'success',
  },
  {
    name: 'crypto-gateway-xml',
    label: 'crypto gateway XML (xml2js, hostile-XML checks): read, verify, claim, onEvent, ack',
    target: 0.75,
    server: webhookRoute('createCryptoGatewayWebhookMiddleware', { secret: CRYPTO_KEY }),
    request: cryptoGatewayRequests({ secret: CRYPTO_KEY, format: 'xml' }),
    expectBody: 'success',
  },

  {
    name: 'pay247-json-redis',
    label: 'Pay247 JSON with RedisDedupStore (redis-server on loopback)',
    targetVs: { variant: 'pay247-json', ratio: 0.8 },
    services: ['redis'],
    server: webhookRoute('createPay247WebhookMiddleware', { secret: PAY247_SECRET }, { store: 'redis' }),
    request: pay247Json,
    expectBody: 'SUCCESS',
  },

  {
    name: 'pay247-json-postgres',
    label: 'Pay247 JSON with PostgresDedupStore (claim, then complete: two statements; PostgreSQL on loopback)',
    services: ['postgres'],
    server: webhookRoute('createPay247WebhookMiddleware', { secret: PAY247_SECRET }, { store: 'postgres' }),
    request: pay247Json,
    expectBody: 'SUCCESS',
  },
  {
    name: 'pay247-json-postgres-tx',
    label: 'Pay247 JSON, transactional: true on PostgresDedupStore (one transaction per notification: lock, check, done row, commit)',
    services: ['postgres'],
    server: webhookRoute('createPay247WebhookMiddleware', { secret: PAY247_SECRET, transactional: true }, { store: 'postgres' }),
    request: pay247Json,
    expectBody: 'SUCCESS',
  },

  // ---- inbox path: ack after a durable write (SQLite, WAL, synchronous=FULL), onEvent later ----
  {
    name: 'pay247-json-inbox-sqlite',
    label: 'Pay247 JSON with SqliteInbox: verify, claim, persist (group commit, fsync, on the inbox thread), ack; onEvent from the inbox',
    targetVs: { variant: 'pay247-json', ratio: 0.8 },
    server: webhookRoute('createPay247WebhookMiddleware', { secret: PAY247_SECRET }, { inbox: 'sqlite' }),
    request: pay247Json,
    expectBody: 'SUCCESS',
    handledLater: true,
  },
  {
    name: 'pay247-json-inbox-memory',
    label: 'pay247-json-inbox-sqlite with a stand-in storage (a Map, answering at the end of the turn): what the inbox code itself costs before any storage writes; no target, a floor',
    server: webhookRoute('createPay247WebhookMiddleware', { secret: PAY247_SECRET }, { inbox: 'memory' }),
    request: pay247Json,
    expectBody: 'SUCCESS',
    handledLater: true,
  },
  {
    name: 'pay247-json-inbox-redis',
    label: 'Pay247 JSON with RedisInbox: verify, claim, persist (puts batched per turn), ack; onEvent from the inbox',
    targetVs: { variant: 'pay247-json', ratio: 0.8 },
    services: ['redis'],
    server: webhookRoute('createPay247WebhookMiddleware', { secret: PAY247_SECRET }, { inbox: 'redis' }),
    request: pay247Json,
    expectBody: 'SUCCESS',
    handledLater: true,
  },

  {
    name: 'pay247-json-inbox-redis-aof',
    label: 'pay247-json-inbox-redis on a Redis that fsyncs its AOF on every write (appendfsync always)',
    targetVs: { variant: 'pay247-json', ratio: 0.8 },
    services: ['redis-aof'],
    server: webhookRoute('createPay247WebhookMiddleware', { secret: PAY247_SECRET }, { inbox: 'redis-aof' }),
    request: pay247Json,
    expectBody: 'SUCCESS',
    handledLater: true,
  },

  // ---- the other servers, each next to its own bare route ----
  {
    name: 'pay247-json-node',
    otherRoute: false,
    label: 'Pay247 JSON through the node:http listener (express-payment-webhooks/node)',
    targetVs: { variant: 'node-http', ratio: 0.6 },
    server: webhookRoute('createPay247WebhookHandler', { secret: PAY247_SECRET }, { adapter: 'node' }),
    request: pay247Json,
    expectBody: 'SUCCESS',
  },
  {
    name: 'pay247-checks-by-hand',
    otherRoute: false,
    label: "Pay247's checks alone, glued by hand over node:http (no method/type/length checks, deadline, renewal or tracing): a yardstick",
    targetVs: { variant: 'node-http' },
    yardstickOf: 'pay247-json-node',
    server: { module: 'bench/servers/pay247-checks-by-hand.js', options: { secret: PAY247_SECRET } },
    request: pay247Json,
    expectBody: 'SUCCESS',
  },
  {
    name: 'fetch-bare',
    otherRoute: false,
    label: 'node:http → Request/Response bridge, reads the body, answers success (the Fetch bare route)',
    sameBodiesOk: true,
    server: { module: 'bench/servers/fetch-bare.js' },
    request: pay247Json,
    expectBody: 'success',
  },
  {
    name: 'pay247-json-fetch',
    otherRoute: false,
    label: 'Pay247 JSON through the Fetch handler (express-payment-webhooks/fetch), same bridge',
    targetVs: { variant: 'fetch-bare', ratio: 0.6 },
    server: webhookRoute('createPay247WebhookHandler', { secret: PAY247_SECRET }, { adapter: 'fetch' }),
    request: pay247Json,
    expectBody: 'SUCCESS',
  },
  {
    name: 'fastify-bare',
    otherRoute: false,
    label: 'Fastify 5 route, its JSON parser, answers success (the Fastify bare route)',
    sameBodiesOk: true,
    server: { module: 'bench/servers/fastify-bare.js' },
    request: pay247Json,
    expectBody: 'success',
  },
  {
    name: 'pay247-json-fastify',
    otherRoute: false,
    label: 'Pay247 JSON through the Fastify plugin (express-payment-webhooks/fastify)',
    targetVs: { variant: 'fastify-bare', ratio: 0.6 },
    server: webhookRoute('createPay247WebhookHandler', { secret: PAY247_SECRET }, { adapter: 'fastify' }),
    request: pay247Json,
    expectBody: 'SUCCESS',
  },

  {
    name: 'node-http',
    otherRoute: false,
    label: 'node:http, reads the whole body into one Buffer, answers success (the ceiling)',
    role: 'ceiling',
    sameBodiesOk: true,
    server: { module: 'bench/servers/node-http.js' },
    request: pay247Json,
    expectBody: 'success',
  },
];
