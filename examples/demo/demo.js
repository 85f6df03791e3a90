'use strict';
// `npm run demo`: the example merchant app and the five providers' side, in
// one process. The app is examples/merchant-server/app.js as `npm run example`
// runs it; the providers are express-payment-webhooks/testing, the same
// functions the `simulate` command uses. Exit code 0 when every expectation
// of the scenario held, 1 otherwise.
const { generateKeyPairSync } = require('node:crypto');
const { once } = require('node:events');
const { createPay247WebhookMiddleware, MemoryDedupStore } = require('express-payment-webhooks');
const { buildProviderNotification, deliverLikeProvider, describeAnswer, describeNotification, PROVIDER_SIDES } = require('express-payment-webhooks/testing');
const { createApp } = require('../merchant-server/app');
const { dashboardStep } = require('./dashboard-step');

// Every retry delay is divided by this: SGATE's 5 s wait takes 50 ms.
const SPEED = 100;

const PROVIDERS = {
  pay247: { name: 'Pay247', path: '/notify/pay247', how: 'signed: MD5 of the sorted fields and the merchant key' },
  sgate: { name: 'SGATE', path: '/notify/sgate', how: 'signed: MD5withRSA over the V-* headers, path and body; card number encrypted for the merchant' },
  'card-issuing': { name: 'Card-issuing', path: '/notify/card-issuing', how: 'authenticated by the secret token in the registered callback URL' },
  'pingpong-kyb': { name: 'PingPong', path: '/notify/pingpong-kyb', how: 'signed: salt and five fields, MD5' },
  'crypto-gateway': { name: 'Crypto gateway', path: '/notify/crypto', how: 'signed: sorted fields and &key=, MD5, in the sign header' },
};

const failures = [];
const say = (line = '') => process.stdout.write(`${line}\n`);

function expectThat(holds, what) {
  if (!holds) {
    failures.push(what);
    say(`     ✗ EXPECTED: ${what}`);
  }
}

async function main() {
  // Development credentials only. SGATE signs with its own key pair and encrypts sensitive
  // fields for the merchant's; both are generated for this run.
  const sgateSystem = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const secrets = {
    pay247: 'pay247-dev-key',
    sgate: { publicKey: sgateSystem.publicKey, apiKey: 'sgate-dev-api-key', privateKey: merchant.privateKey },
    cardIssuing: 'card-issuing-dev-token-0123456789',
    pingpongKyb: 'pingpong-dev-salt',
    cryptoGateway: 'crypto-gateway-dev-key',
  };
  const credentials = {
    pay247: { secret: secrets.pay247 },
    sgate: { privateKey: sgateSystem.privateKey, apiKey: secrets.sgate.apiKey, encryptFor: merchant.publicKey },
    'card-issuing': { secret: secrets.cardIssuing },
    'pingpong-kyb': { secret: secrets.pingpongKyb },
    'crypto-gateway': { secret: secrets.cryptoGateway },
  };

  const log = [];
  let logShown = 0;
  const failing = new Set();
  const { app, orders } = createApp({
    secrets,
    store: new MemoryDedupStore(),
    log: (line) => log.push(line),
    // The package's own lines (each refusal and failure) go to the same narrated log.
    logger: { info: (line) => log.push(line), warn: (line) => log.push(line), error: (line) => log.push(line) },
    failNext: (provider) => failing.delete(provider),
  });
  // Pay247's current API posts payins (collections) to the notify_url given with each payin
  // request: a route of their own, since a payin's fields look like a payout's.
  const PAYIN_PATH = '/notify/pay247-payin';
  app.post(
    PAYIN_PATH,
    createPay247WebhookMiddleware({
      secret: secrets.pay247,
      notification: 'payin',
      onEvent: (event) => {
        const state = { 'payin.succeeded': 'collected', 'payin.refunded': 'refunded', 'payin.failed': 'collection-failed', 'payin.closed': 'collection-closed' }[event.type] ?? 'collection-pending';
        const order = orders.upsert(event.data.mch_order_no, { state, amount: `${event.data.amount} ${event.data.currency}` });
        log.push(`pay247: ${event.type} for order ${order.id} (${order.amount}) → ${order.state}`);
      },
      onError: (err) => log.push(`pay247: refused ${err.code} (${err.status}): ${err.message}`),
    }),
  );
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${server.address().port}`;

  /** The merchant's log lines written since the last call. */
  const newLog = () => log.slice(logShown, (logShown = log.length));
  const showLog = (lines) => {
    if (lines.length === 0) say('     merchant log: (nothing: the handler did not run)');
    for (const line of lines) say(`     merchant log: ${line}`);
  };

  const build = (provider, options = {}) => buildProviderNotification(provider, { url: `${base}${PROVIDERS[provider].path}`, ...credentials[provider], ...options });

  /** Delivers like the provider, narrating each attempt and the log lines it caused. */
  const deliver = async (provider, sent, options = {}) => {
    const { name } = PROVIDERS[provider];
    const lines = [];
    const report = await deliverLikeProvider({
      url: sent.url,
      notification: sent.notification,
      side: PROVIDER_SIDES[provider],
      speed: SPEED,
      ...options,
      onAttempt: (attempt, nextDelayMs) => {
        // Number the attempts only when there is more than one.
        const prefix = attempt.attempt > 1 || nextDelayMs !== undefined ? `attempt ${attempt.attempt}: ` : '';
        say(`     ${prefix}merchant answered ${describeAnswer(attempt)}`);
        const verdict = attempt.acknowledged
          ? `${name} concluded: acknowledged, it stops`
          : nextDelayMs === undefined
            ? `${name} concluded: not acknowledged${options.attempts === 1 ? ' (it would retry on its schedule, refused the same way each time)' : ', and it has no retries left'}`
            : `${name} concluded: not acknowledged, it retries in ${PROVIDER_SIDES[provider].retryDelaysMs[attempt.attempt - 1] / 1000} s (${nextDelayMs} ms at this demo's speed)`;
        say(`     ${verdict}`);
        const written = newLog();
        lines.push(...written);
        showLog(written);
      },
    });
    return { report, lines };
  };

  say('express-payment-webhooks demo');
  say(`The example merchant app (examples/merchant-server/app.js) is listening on ${base}`);
  say('with all five providers, a memory dedup store and development secrets. The providers');
  say(`are played by express-payment-webhooks/testing; their retry delays are divided by ${SPEED}.`);
  say();

  say('1. A normal notification from each provider');
  const firsts = {};
  for (const provider of Object.keys(PROVIDERS)) {
    const options = { pay247: { data: { out_order_no: 'ORDER-1001' } }, sgate: { event: 'SALARY_STATUS_CHANGE' }, 'pingpong-kyb': { status: 'PASS' } }[provider];
    const sent = build(provider, options);
    firsts[provider] = sent;
    say(`   ${PROVIDERS[provider].name} sends: ${describeNotification(provider, sent.notification.fields)}`);
    say(`     POST ${PROVIDERS[provider].path} (${sent.notification.headers['content-type']}), ${PROVIDERS[provider].how}`);
    const { report, lines } = await deliver(provider, sent);
    expectThat(report.acknowledged && report.attempts.length === 1, `${provider}: acknowledged at the first attempt`);
    expectThat(lines.length === 1 && lines[0].startsWith(`${provider}: `) && !lines[0].includes('refused'), `${provider}: the handler ran and logged its work`);
  }
  say();

  say('2. A duplicate: Pay247 sends the same notification again');
  const ordersBefore = JSON.stringify(orders.all());
  {
    say(`   Pay247 sends: ${describeNotification('pay247', firsts.pay247.notification.fields)}, the same body and sign as in step 1`);
    const { report, lines } = await deliver('pay247', firsts.pay247);
    expectThat(report.acknowledged, 'pay247 duplicate: acknowledged, so Pay247 stops');
    expectThat(lines.length === 0, 'pay247 duplicate: the handler did not run again');
    expectThat(JSON.stringify(orders.all()) === ordersBefore, 'pay247 duplicate: no order changed');
  }
  say();

  say('3. A forged notification: a genuine crypto gateway deposit, its balance raised to 1000');
  {
    const genuine = build('crypto-gateway');
    const forged = { ...genuine.notification, body: JSON.stringify({ ...genuine.notification.fields, balance: '1000.0000000000000000' }) };
    say(`   someone sends: ${describeNotification('crypto-gateway', { ...genuine.notification.fields, balance: '1000.0000000000000000' })}`);
    say('     with the sign header of the genuine deposit');
    const { report, lines } = await deliver('crypto-gateway', { url: genuine.url, notification: forged }, { attempts: 1 });
    expectThat(!report.acknowledged && report.attempts[0].answer?.status === 401, 'forged: refused with 401');
    expectThat(lines.some((line) => line.includes('SIGNATURE_MISMATCH status=401')), 'forged: the merchant logged the refusal');
    expectThat(!orders.all().some((order) => order.amount?.startsWith('1000')), 'forged: no order was credited');
  }
  say();

  say("4. The handler fails once: an SGATE payout arrives while the merchant's order database is down");
  {
    failing.add('sgate');
    const sent = build('sgate', { event: 'SALARY_STATUS_CHANGE', status: '3' });
    say(`   SGATE sends: ${describeNotification('sgate', sent.notification.fields)}`);
    const { report, lines } = await deliver('sgate', sent);
    const statuses = report.attempts.map((attempt) => attempt.answer?.status);
    expectThat(report.acknowledged && statuses.join() === '500,200', 'handler failure: answered 500, then the retry 200 and acknowledged');
    expectThat(lines.filter((line) => line.includes('HANDLER_FAILED')).length === 1, 'handler failure: the failure was logged once');
    expectThat(lines.filter((line) => line.startsWith('sgate: payout')).length === 1, 'handler failure: the retry ran the handler, once');
  }
  say();

  say("5. A payin on Pay247's current API: a customer pays order ORDER-2001, then Pay247 refunds it");
  {
    for (const status of ['SUCCESS', 'REFUND']) {
      const sent = buildProviderNotification('pay247', { url: `${base}${PAYIN_PATH}`, secret: secrets.pay247, notification: 'payin', status, data: { mch_order_no: 'ORDER-2001', order_no: 'MP20261201000000002001' } });
      say(`   Pay247 sends: ${describeNotification('pay247', sent.notification.fields)}`);
      say(`     POST ${PAYIN_PATH} (${sent.notification.headers['content-type']}), the current API's JSON, signed as the legacy payouts are`);
      const { report, lines } = await deliver('pay247', sent);
      expectThat(report.acknowledged && report.attempts.length === 1, `pay247 payin ${status}: acknowledged at the first attempt`);
      expectThat(lines.length === 1 && lines[0].includes(status === 'SUCCESS' ? 'payin.succeeded' : 'payin.refunded'), `pay247 payin ${status}: the handler ran with its event type`);
    }
    expectThat(orders.all().some((order) => order.id === 'ORDER-2001' && order.state === 'refunded'), 'pay247 payin: the order was collected, then refunded');
  }
  say();

  say('6. With a durable inbox: the notification is acked at once, the inbox retries, the dashboard shows the attempts');
  await dashboardStep({ say, expectThat, secrets });
  say();

  say('The orders the merchant recorded:');
  for (const order of orders.all()) say(`   ${order.id}: ${order.state} (${order.amount}), history ${order.history.join(' → ')}`);
  say();

  server.closeAllConnections();
  server.close();
  if (failures.length === 0) {
    say(`Every expectation held. Try the providers' side yourself: \`npm run example\`, then`);
    say('  npx express-payment-webhooks simulate pay247 --url http://127.0.0.1:3000/notify/pay247 --secret pay247-dev-key');
    return 0;
  }
  say(`${failures.length} expectation(s) did not hold:`);
  for (const failure of failures) say(`  - ${failure}`);
  return 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`demo failed: ${error.stack}\n`);
    process.exitCode = 1;
  },
);
