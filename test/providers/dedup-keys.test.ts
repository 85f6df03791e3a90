/**
 * Dedup keys, every provider, over real HTTP through the middleware: a retry
 * (the same notification again, however re-sent) runs the handler once; two
 * notifications a provider can really send about one object in different
 * states, or with different content, run it twice. Each pair differs in one
 * thing only, so a key that ignores that thing fails its case.
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  createCardIssuingWebhookMiddleware,
  createCryptoGatewayWebhookMiddleware,
  createPay247WebhookMiddleware,
  createPingPongKybWebhookMiddleware,
  createSgateWebhookMiddleware,
  type AnyWebhookEvent,
} from '../../lib';
import {
  buildCardIssuingNotification,
  buildCryptoGatewayNotification,
  buildPay247Notification,
  buildPingPongKybNotification,
  buildSgateNotification,
  samplePingPongKybFields,
  type Notification,
} from '../../lib/testing';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { listen, post } from '../helpers/server';

const system = generateKeyPairSync('rsa', { modulusLength: 2048 });
const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const MERCHANT_PUBLIC_KEY = merchant.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const API_KEY = 'sgate-api-key-1';
const SECRET = 'merchant-secret-0123456789';
const PATH = '/notify';
/** One second, as SGATE's updated_at and time count it. */
const SECOND = 1_700_000_000;

type Middleware = (onEvent: (event: AnyWebhookEvent) => Promise<void>) => unknown;
/** Named pairs of notifications, sent one after the other. */
type Pairs = Array<[string, () => [Notification, Notification]]>;

interface ProviderCases {
  name: string;
  create: Middleware;
  /** The second is a retry of the first: one run. */
  retries: Pairs;
  /** Different states or contents of one object: two runs. */
  distinct: Pairs;
}

const sgate = (options: Partial<Parameters<typeof buildSgateNotification>[0]> = {}) =>
  buildSgateNotification({ privateKey: system.privateKey, apiKey: API_KEY, url: PATH, time: SECOND, ...options });
/** The same customer (or payout) in the same second, in the given states. */
const sgateStates = (event: string, data: Record<string, unknown>, first: Record<string, unknown>, second: Record<string, unknown>): [Notification, Notification] => [
  sgate({ event, data: { ...data, ...first } }),
  sgate({ event, data: { ...data, ...second } }),
];
const sameSecond = { customid: 'c1', ticketid: 't1', updated_at: SECOND };
const transfer = { uuid: 'A1B2C3D4-0000-4000-8000-000000000001' };

const pay247 = (fields: Record<string, string | number>, format: 'json' | 'form' = 'json') =>
  buildPay247Notification({ secret: SECRET, format, fields: { order_no: 'MP1', out_order_no: 'O1', ...fields } });
const pingPong = (fields: Record<string, unknown>, bizType: 'SM_KYC_REVIEW' | 'SM_STORE_REVIEW' = 'SM_KYC_REVIEW') =>
  buildPingPongKybNotification({ secret: SECRET, bizType, fields: { bizId: 'SM1', accId: 'SM1', ...fields } });
const crypto = (type: 'recharge' | 'transfer', fields: Record<string, string>, format: 'json' | 'form' | 'xml' = 'json') =>
  buildCryptoGatewayNotification({ secret: SECRET, type, format, fields: { txid: 'tx1', ordid: 'ord1', timestamp: String(SECOND), ...fields } });
/** The same body with its keys in another order, as a re-serialising sender writes it. */
const reordered = (n: Notification): Notification => {
  const fields = JSON.parse(n.body) as Record<string, unknown>;
  const reversed = Object.fromEntries(Object.keys(fields).reverse().map((key) => [key, fields[key]]));
  return { ...n, body: JSON.stringify(reversed) };
};

const PROVIDERS: ProviderCases[] = [
  {
    name: 'SGATE',
    create: (onEvent) => createSgateWebhookMiddleware({ publicKey: system.publicKey, apiKey: API_KEY, onEvent }),
    retries: [
      ['the identical body', () => { const n = sgate(); return [n, n]; }],
      ['re-signed with a new timestamp and nonce', () => { const data = { customid: 'c1', status: 1, updated_at: SECOND }; return [sgate({ data, nonce: 'a' }), sgate({ data, nonce: 'b', timestamp: SECOND + 5 })]; }],
      // PKCS#1 v1.5 ciphertext is random: the same values encrypted again are other bytes.
      ['the sensitive fields encrypted again', () => {
        const again = () => sgate({ event: 'SALARY_STATUS_CHANGE', data: { ...sameSecond, status: 2 }, encryptFor: MERCHANT_PUBLIC_KEY });
        return [again(), again()];
      }],
      ['a transfer notified again at a later time', () => [sgate({ event: 'RECEIVING_TRANS_NOTIFICATION', data: transfer }), sgate({ event: 'RECEIVING_TRANS_NOTIFICATION', data: transfer, time: SECOND + 60 })]],
    ],
    distinct: [
      ['a customer changing status twice within one second', () => sgateStates('CUSTOM_STATUS_CHANGE', sameSecond, { status: 0 }, { status: 1 })],
      ['a payout processing then succeeded within one second', () => sgateStates('SALARY_STATUS_CHANGE', sameSecond, { status: 1 }, { status: 2 })],
      ['a payout without updated_at changing status within one event second', () => sgateStates('SALARY_STATUS_CHANGE', { ticketid: 't1', updated_at: undefined }, { status: 1 }, { status: 2 })],
      ['the same customer id in a customer and a payout event', () => [sgate({ event: 'CUSTOM_STATUS_CHANGE', data: { ...sameSecond, ticketid: 'c1', status: 1 } }), sgate({ event: 'SALARY_STATUS_CHANGE', data: { ...sameSecond, ticketid: 'c1', status: 1 } })]],
      ['two transfers received in one second', () => [sgate({ event: 'RECEIVING_TRANS_NOTIFICATION' }), sgate({ event: 'RECEIVING_TRANS_NOTIFICATION' })]],
      ['one transfer uuid with another amount', () => [sgate({ event: 'OFFLINE_TRANSFER_NOTIFICATION', data: transfer }), sgate({ event: 'OFFLINE_TRANSFER_NOTIFICATION', data: { ...transfer, amount: 51 } })]],
      ['an undocumented event with other content', () => [sgate({ event: 'ACCOUNT_FROZEN', data: { account: 'SA1', reason: 'a' } }), sgate({ event: 'ACCOUNT_FROZEN', data: { account: 'SA1', reason: 'b' } })]],
    ],
  },
  {
    name: 'card-issuing',
    create: (onEvent) => createCardIssuingWebhookMiddleware({ secret: SECRET, onEvent }),
    retries: [
      ['the identical body', () => { const n = buildCardIssuingNotification({ token: SECRET }); return [n, n]; }],
      ['the same notify_id re-serialised', () => { const n = buildCardIssuingNotification({ token: SECRET }); return [n, reordered(n)]; }],
    ],
    distinct: [
      // notify_id is documented unique per notification, whatever it says.
      ['one card frozen then unfrozen', () => [buildCardIssuingNotification({ token: SECRET, event: 'card.status.freeze', data: { card_id: 'k1' } }), buildCardIssuingNotification({ token: SECRET, event: 'card.status.unfreeze', data: { card_id: 'k1' } })]],
      ['one card, one event, another balance', () => [buildCardIssuingNotification({ token: SECRET, data: { card_id: 'k1', balance: 10 } }), buildCardIssuingNotification({ token: SECRET, data: { card_id: 'k1', balance: 20 } })]],
    ],
  },
  {
    name: 'Pay247',
    create: (onEvent) => createPay247WebhookMiddleware({ secret: SECRET, onEvent }),
    retries: [
      ['the identical body', () => { const n = pay247({ status: 2 }); return [n, n]; }],
      // v1.0 forms carry the status as a string, v2.0 JSON as an int.
      ['the same payout and status, as JSON and as a form', () => [pay247({ status: 2 }), pay247({ status: 2 }, 'form')]],
    ],
    distinct: [
      ['a payout processing then succeeded', () => [pay247({ status: 1 }), pay247({ status: 2 })]],
      ['a payout pending then failed, in one second', () => [pay247({ status: 0, resolved_timestamp: SECOND }), pay247({ status: 3, resolved_timestamp: SECOND, remarks: 'rejected' })]],
    ],
  },
  {
    name: 'PingPong KYB',
    create: (onEvent) => createPingPongKybWebhookMiddleware({ secret: SECRET, onEvent }),
    retries: [
      ['the identical body', () => { const n = pingPong({}); return [n, n]; }],
      ['the same review re-serialised', () => { const n = pingPong({}); return [n, reordered(n)]; }],
    ],
    distinct: [
      ['a review pending then passed', () => [pingPong({ status: 'PENDING' }), pingPong({ status: 'PASS' })]],
      ['a second MODIFY with another comment', () => [pingPong({ status: 'MODIFY', comment: 'a' }), pingPong({ status: 'MODIFY', comment: 'b' })]],
      ['a second MODIFY with another review detail', () => {
        const detail = samplePingPongKybFields().reviewDetail as Record<string, unknown>;
        return [pingPong({ status: 'MODIFY', reviewDetail: detail }), pingPong({ status: 'MODIFY', reviewDetail: { ...detail, companyReviewResult: { status: 'PASS' } } })];
      }],
      ['a KYB review and a store review of one bizId', () => [pingPong({ status: 'PASS' }), pingPong({ status: 'PASS' }, 'SM_STORE_REVIEW')]],
    ],
  },
  {
    name: 'crypto gateway',
    create: (onEvent) => createCryptoGatewayWebhookMiddleware({ secret: SECRET, onEvent }),
    retries: [
      ['the identical body', () => { const n = crypto('recharge', {}); return [n, n]; }],
      ['the same deposit as JSON and as XML', () => [crypto('recharge', {}), crypto('recharge', {}, 'xml')]],
      ['the same transfer as a form, later', () => [crypto('transfer', {}, 'form'), crypto('transfer', { timestamp: String(SECOND + 60) }, 'form')]],
    ],
    distinct: [
      ['a deposit failed then succeeded', () => [crypto('recharge', { status: '0' }), crypto('recharge', { status: '1' })]],
      ['one transaction paying two of your addresses', () => [crypto('recharge', { address: 'f1a' }), crypto('recharge', { address: 'f1b' })]],
      ['a transfer failed then succeeded', () => [crypto('transfer', { status: '2' }), crypto('transfer', { status: '1' })]],
      ['two transfers without an order number', () => [crypto('transfer', { ordid: '', txid: 'tx1' }), crypto('transfer', { ordid: '', txid: 'tx2' })]],
      ['an undocumented type with another balance', () => [crypto('recharge', { type: 'refund', balance: '1' }), crypto('recharge', { type: 'refund', balance: '2' })]],
    ],
  },
];

describe.each(EXPRESS_VERSIONS)('dedup keys on $name', (express) => {
  /** Sends both notifications in turn to one fresh middleware; both must be acked. Returns the ids the handler ran for. */
  async function runsFor(create: Middleware, pair: [Notification, Notification]): Promise<string[]> {
    const ran: string[] = [];
    const app = express.create();
    app.post(PATH, create(async (event) => void ran.push(event.id)) as never);
    const server = await listen(app);
    try {
      for (const n of pair) {
        const reply = await post(`${server.url}${PATH}`, n.body, n.headers);
        expect(reply.status).toBe(200);
      }
    } finally {
      await server.close();
    }
    return ran;
  }

  describe.each(PROVIDERS)('$name', ({ create, retries, distinct }) => {
    test.each(retries)('a retry runs once: %s', async (_name, pair) => {
      expect(await runsFor(create, pair())).toHaveLength(1);
    });

    test.each(distinct)('two runs: %s', async (_name, pair) => {
      const ran = await runsFor(create, pair());
      expect(ran).toHaveLength(2);
      expect(new Set(ran).size).toBe(2);
    });
  });
});
