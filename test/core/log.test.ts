/**
 * Failures are visible by default: one line per refusal or failure, on
 * `console` unless `logger` says otherwise, with the code, status, event id
 * and, for a handler's failure, its error's message; never a secret,
 * signature, token or card field; and a logger never changes an answer.
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  createCardIssuingWebhookMiddleware,
  createPay247WebhookMiddleware,
  createSgateWebhookMiddleware,
  MemoryDedupStore,
  SqliteInbox,
  type DedupStore,
} from '../../lib';
import { buildCardIssuingNotification, buildPay247Notification, buildSgateNotification, cardIssuingCallbackUrl } from '../../lib/testing';
import { packageConsoleLines } from '../helpers/package-console';
import { post } from '../helpers/server';
import { recordingLogger, webhookApps } from '../helpers/webhook-app';

const PAY247_SECRET = 'pay247-secret-Zq81';
const CARD_TOKEN = 'card-token-Xk29-0123456789abcdef';
const CARD_NO = '6200112233445566778';
const CVV = '917';
const PIN = '482913';
const SGATE_API_KEY = 'sgate-api-key-Lm55';
const sgateKeys = generateKeyPairSync('rsa', { modulusLength: 1024 });
const SGATE_PRIVATE = sgateKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const start = webhookApps();

describe('the default logger is console', () => {
  test('a refused request is one warn line with provider, code and status; a handled one logs nothing', async () => {
    const app = await start((r) => createPay247WebhookMiddleware({ secret: PAY247_SECRET, onEvent: r.options.onEvent }));
    const good = buildPay247Notification({ secret: PAY247_SECRET });
    expect((await post(app.url, good.body, good.headers)).status).toBe(200);
    expect(packageConsoleLines()).toEqual([]);

    const forged = buildPay247Notification({ secret: 'not-the-secret' });
    expect(await post(app.url, forged.body, forged.headers)).toMatchObject({ status: 401, body: 'fail' });
    expect(packageConsoleLines()).toEqual([
      { level: 'warn', line: expect.stringMatching(/^express-payment-webhooks \(pay247\) SIGNATURE_MISMATCH status=401: The sign field does not match/) },
    ]);
  });

  test("a handler that throws is one error line with the event id and the error's own message", async () => {
    const app = await start(() =>
      createPay247WebhookMiddleware({
        secret: PAY247_SECRET,
        onEvent: () => {
          throw new Error('ledger write refused: account frozen');
        },
      }),
    );
    const n = buildPay247Notification({ secret: PAY247_SECRET, fields: { order_no: 'ORDER-77', status: 2 } });
    expect(await post(app.url, n.body, n.headers)).toMatchObject({ status: 500, body: 'fail' });
    expect(packageConsoleLines()).toEqual([
      {
        level: 'error',
        line: 'express-payment-webhooks (pay247) HANDLER_FAILED status=500 event=ORDER-77:2: onEvent threw or rejected: ledger write refused: account frozen',
      },
    ]);
  });

  test('logger: false logs nothing at all', async () => {
    const app = await start(() => createPay247WebhookMiddleware({ secret: PAY247_SECRET, logger: false, onEvent: () => undefined }));
    const forged = buildPay247Notification({ secret: 'not-the-secret' });
    expect((await post(app.url, forged.body, forged.headers)).status).toBe(401);
    expect(packageConsoleLines()).toEqual([]);
  });
});

describe('logger option', () => {
  test('levels: a refused request warns, a store outage and a handler failure are errors (with the store\'s cause)', async () => {
    const down: DedupStore = {
      claim: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6390')),
      renew: () => Promise.resolve(true),
      complete: () => Promise.resolve(),
      release: () => Promise.resolve(),
    };
    const outage = await start((r) => createPay247WebhookMiddleware({ secret: PAY247_SECRET, store: down, ...r.options }));
    const n = buildPay247Notification({ secret: PAY247_SECRET });
    expect((await post(outage.url, n.body, n.headers)).status).toBe(503);
    expect(outage.lines).toEqual([
      { level: 'error', line: expect.stringMatching(/STORE_UNAVAILABLE status=503 event=\S+: The dedup store could not be reached.*\(cause: connect ECONNREFUSED 127\.0\.0\.1:6390\)$/) },
    ]);
    expect(packageConsoleLines()).toEqual([]);
  });

  test('a logger that throws, or returns a rejected promise, changes no answer', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      for (const logger of [
        { info: boom, warn: boom, error: boom },
        { info: reject, warn: reject, error: reject },
      ]) {
        let calls = 0;
        const app = await start(() =>
          createPay247WebhookMiddleware({
            secret: PAY247_SECRET,
            logger,
            onEvent: () => {
              if (++calls === 1) throw new Error('first attempt fails');
            },
          }),
        );
        const n = buildPay247Notification({ secret: PAY247_SECRET });
        expect(await post(app.url, n.body, n.headers)).toMatchObject({ status: 500, body: 'fail' });
        expect(await post(app.url, n.body, n.headers)).toMatchObject({ status: 200, body: 'SUCCESS' });
        const forged = buildPay247Notification({ secret: 'nope' });
        expect(await post(app.url, forged.body, forged.headers)).toMatchObject({ status: 401, body: 'fail' });
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  test.each([null, {}, { warn: () => undefined }, 'console', true])('logger %p is refused at startup, naming the fix', (logger) => {
    expect(() => createPay247WebhookMiddleware({ secret: PAY247_SECRET, logger: logger as never, onEvent: () => undefined })).toThrow(
      /logger must have info, warn and error methods \(console, a pino logger\), or be false/,
    );
  });

  test('an event id or a handler message cannot forge a second log line', async () => {
    const app = await start((r) =>
      createPay247WebhookMiddleware({
        secret: PAY247_SECRET,
        ...r.options,
        onEvent: () => {
          throw new Error('oops\nexpress-payment-webhooks (pay247) ALL_GOOD\u2028again');
        },
      }),
    );
    const n = buildPay247Notification({ secret: PAY247_SECRET, fields: { order_no: 'A\r\nexpress-payment-webhooks (pay247) FAKE' } });
    n.headers['content-type'] = 'application/json';
    expect((await post(app.url, JSON.stringify(n.fields), n.headers)).status).toBe(500);
    // A field name the refusal quotes: a form key may hold any character.
    const forged = 'x%0D%0Aexpress-payment-webhooks+(pay247)+FAKE';
    expect((await post(app.url, `${forged}=1&${forged}=2`, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(400);
    expect(app.lines).toHaveLength(2);
    expect(app.lines[0].line).toContain('ALL_GOOD');
    expect(app.lines[1].line).toContain('FAKE');
    for (const { line } of app.lines) expect(line).not.toMatch(/[\n\r\u2028]/);
  });
});

describe('never a secret, signature, token or card field in a log line', () => {
  test('requests carrying them, refused and failed every way, and handler failures with a harmless message', async () => {
    const logger = recordingLogger();
    const failing = () => {
      throw new Error('card ledger unavailable');
    };
    const pay247 = await start(() => createPay247WebhookMiddleware({ secret: PAY247_SECRET, logger, onEvent: failing }));
    const cards = await start(() => createCardIssuingWebhookMiddleware({ secret: CARD_TOKEN, logger, onEvent: failing }), { path: '/cards' });
    const sgate = await start(() => createSgateWebhookMiddleware({ publicKey: sgateKeys.publicKey, apiKey: SGATE_API_KEY, logger, onEvent: failing }), { path: '/sgate' });

    const payout = buildPay247Notification({ secret: PAY247_SECRET });
    const sign = String((payout.fields as Record<string, unknown>).sign);
    const card = buildCardIssuingNotification({ event: 'card.status.active', data: { card_no: CARD_NO, cvv: CVV, pin: PIN } });
    const sgateNote = buildSgateNotification({ privateKey: SGATE_PRIVATE, apiKey: SGATE_API_KEY, url: '/sgate', event: 'SALARY_STATUS_CHANGE' });
    const signature = sgateNote.headers['V-Signature'];
    const requests: Array<Promise<unknown>> = [
      post(pay247.url, payout.body, payout.headers), // handler fails
      post(pay247.url, buildPay247Notification({ secret: `${PAY247_SECRET}x` }).body, payout.headers), // forged
      post(pay247.url, `{"account_no":"${CARD_NO}", "sign": "${sign}"`, { 'content-type': 'application/json' }), // not JSON
      post(cardIssuingCallbackUrl(cards.url, CARD_TOKEN), card.body, card.headers), // handler fails
      post(cardIssuingCallbackUrl(cards.url, `${CARD_TOKEN}-wrong`), card.body, card.headers), // wrong token
      post(`${cards.url}?token=${CARD_TOKEN}`, card.body.replace(CARD_NO, `${CARD_NO}"`), card.headers), // malformed, token valid
      post(`${cards.url}?token=${CARD_TOKEN}`, card.body, { ...card.headers, 'X-Webhook-Token': CARD_TOKEN.slice(1) }), // header disagrees
      post(sgate.url, sgateNote.body, sgateNote.headers), // handler fails
      post(sgate.url, sgateNote.body, { ...sgateNote.headers, 'V-Api-Key': `${SGATE_API_KEY}-old` }), // wrong api key
      post(sgate.url, sgateNote.body.replace('}', ',"x":1}'), sgateNote.headers), // signature does not match
    ];
    await Promise.all(requests);

    const log = logger.lines.map((l) => l.line).join('\n');
    expect(logger.lines.length).toBeGreaterThanOrEqual(requests.length);
    expect(log.match(/card ledger unavailable/g)).toHaveLength(3);
    for (const secret of [PAY247_SECRET, sign, CARD_TOKEN, CARD_TOKEN.slice(1), CARD_NO, `"${CVV}"`, PIN, SGATE_API_KEY, signature, SGATE_PRIVATE.slice(40, 80)]) {
      expect(log).not.toContain(secret);
    }
    expect(packageConsoleLines()).toEqual([]);
  });
});

describe('one-time notices', () => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  test('in production without a store: one warning at startup that duplicates are caught only in this process', async () => {
    process.env.NODE_ENV = 'production';
    const logger = recordingLogger();
    createPay247WebhookMiddleware({ secret: PAY247_SECRET, logger, onEvent: () => undefined });
    expect(logger.lines).toEqual([{ level: 'warn', line: expect.stringMatching(/^express-payment-webhooks \(pay247\): no store given: duplicates are only caught within this process's lifetime.*RedisDedupStore/) }]);

    createPay247WebhookMiddleware({ secret: PAY247_SECRET, logger, store: new MemoryDedupStore(), onEvent: () => undefined });
    // With an inbox, its storage recognises a retry however late, in every process.
    const inbox = new SqliteInbox({ path: ':memory:', logger: false });
    createCardIssuingWebhookMiddleware({ secret: CARD_TOKEN, logger, inbox, onEvent: () => undefined });
    await inbox.close();
    process.env.NODE_ENV = 'development';
    createPay247WebhookMiddleware({ secret: PAY247_SECRET, logger, onEvent: () => undefined });
    expect(logger.lines).toHaveLength(1);
  });
});

function boom(): never {
  throw new Error('logger down');
}

function reject(): Promise<never> {
  return Promise.reject(new Error('logger down'));
}
