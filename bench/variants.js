'use strict';
// Every variant the HTTP benchmark measures: one entry each. A variant is
//   name       short id, used in the table, the JSON and profile file names
//   label      what it is, in words
//   server     { module, options }: a module in bench/servers/ that returns a
//              request listener; run in its own process (bench/harness/server-process.js).
//              options.path is the request generator's path unless set.
//   request    a request generator (bench/requests/): method, path, headers and
//              body(seq), where a distinct seq gives a distinct notification
//   expectBody the answer a handled request gets; anything else fails the run
//   role       'baseline' (ratios are to it; exactly one) or 'ceiling'; omitted for the rest
//   target     the DESIGN.md ratio to the baseline it must reach
//   targetVs   { variant, ratio }: a target relative to another variant instead (same rounds)
//   requires   package exports it needs; when missing from the build it is skipped, not failed
//   services   backing services the harness starts for it ('redis'); the server gets
//              their addresses as options.services
//   handledLater  onEvent runs after the ack (inbox): the handled count may trail the 2xx count
//   sameBodiesOk  nothing is deduplicated, so a small pool of bodies is sent round and round
// Every request body is distinct (unless sameBodiesOk); servers count the
// requests their handler ran, and the harness checks that against the 2xx
// answers (no duplicate was answered from the dedup store instead of doing the work).
const { pay247Requests } = require('./requests/pay247');

const PAY247_SECRET = 'bench-pay247-key';
const pay247Json = pay247Requests({ secret: PAY247_SECRET, format: 'json' });
const pay247Form = pay247Requests({ secret: PAY247_SECRET, format: 'form' });

/**
 * The full middleware path for one provider: the factory the package exports, its
 * options (JSON: secrets, keys), and `store` / `inbox` by name (bench/servers/webhook-route.js).
 */
function webhookRoute(factory, middleware, extra = {}) {
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
    name: 'pay247-form',
    label: 'Pay247 v1.0 form: read, verify, claim (memory), onEvent, ack',
    target: 0.85,
    server: webhookRoute('createPay247WebhookMiddleware', { secret: PAY247_SECRET }),
    request: pay247Form,
    expectBody: 'SUCCESS',
  },

  // ---- other providers: one entry each, on the provider's main content type (target 0.95 JSON, 0.85 form) ----
  // Add a request generator in bench/requests/<provider>.js (build bodies with the testing kit's
  // builder, order/event ids from `seq`), then e.g.:
  // {
  //   name: 'sgate-json',
  //   label: 'SGATE JSON: read, RSA verify, claim (memory), onEvent, ack',
  //   target: 0.95,
  //   server: webhookRoute('createSgateWebhookMiddleware', { publicKey, apiKey }),
  //   request: sgateRequests({ ... }),
  //   expectBody: '<the provider's success ack>',
  // },
  // card-issuing (JSON), PingPong KYB (JSON, expectBody ''), crypto gateway JSON: the same shape.

  // ---- crypto gateway XML and form paths (target XML 0.75, form 0.85) ----
  // cryptoGatewayRequests({ format: 'xml' | 'form' }) → 'crypto-gateway-xml', 'crypto-gateway-form'.

  {
    name: 'pay247-json-redis',
    label: 'Pay247 JSON with RedisDedupStore (redis-server on loopback)',
    targetVs: { variant: 'pay247-json', ratio: 0.8 },
    requires: ['RedisDedupStore'],
    services: ['redis'],
    server: webhookRoute('createPay247WebhookMiddleware', { secret: PAY247_SECRET }, { store: 'redis' }),
    request: pay247Json,
    expectBody: 'SUCCESS',
  },

  // ---- inbox path (issue 9): ack after a durable write, onEvent later ----
  // {
  //   name: 'pay247-json-inbox-sqlite',
  //   label: 'Pay247 JSON with SqliteInbox: verify, claim, persist, ack',
  //   requires: ['SqliteInbox'],
  //   server: webhookRoute('createPay247WebhookMiddleware', { secret: PAY247_SECRET }, { inbox: 'sqlite' }),
  //   request: pay247Json,
  //   expectBody: 'SUCCESS',
  //   handledLater: true,
  // },

  {
    name: 'node-http',
    label: 'node:http, reads the body, answers success (the ceiling)',
    role: 'ceiling',
    sameBodiesOk: true,
    server: { module: 'bench/servers/node-http.js' },
    request: pay247Json,
    expectBody: 'success',
  },
];
