/**
 * The merchant's database is down for longer than the provider keeps
 * retrying. Without an inbox the notification is lost; with one it is
 * delivered once the database is back. Pay247's schedule (tries after 3, 9,
 * 27, 81, 243 s) runs in milliseconds here: delays scaled by 1/1000.
 */
import { createPay247WebhookMiddleware, type Pay247Event } from '../../lib';
import { buildPay247Notification, deliverLikeProvider, PROVIDER_SIDES } from '../../lib/testing';
import { until } from '../helpers/async';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { describeWithRedis } from '../helpers/redis-server';
import { listen } from '../helpers/server';
import { redisBackend, sqliteBackend, type Backend } from './backends';

const SECRET = 'outage-secret';
const PAY247 = PROVIDER_SIDES.pay247;
/** Pay247's delays, scaled by 1/1000: 3, 9, 27, 81, 243 ms. */
const SPEED = 1000;

/** Pay247's side: POST, and retry on its schedule until acked with SUCCESS or out of tries. */
async function deliverLikePay247(url: string, notification: { headers: Record<string, string>; body: string }): Promise<{ acked: boolean; tries: number }> {
  const report = await deliverLikeProvider({ url, notification, side: PAY247, speed: SPEED });
  return { acked: report.acknowledged, tries: report.attempts.length };
}

function describeOutage(backend: Backend): void {
  describe.each(EXPRESS_VERSIONS)(`${backend.name} on $name`, (express) => {
    afterEach(() => backend.closeAll());

    async function merchant(inbox: ReturnType<ReturnType<Backend['fresh']>> | undefined) {
      const state = { databaseUp: false, paid: [] as Pay247Event[], attempts: 0 };
      const app = express.create();
      app.post(
        '/notify/pay247',
        createPay247WebhookMiddleware({
          secret: SECRET,
          inbox,
          onEvent: async (event) => {
            state.attempts++;
            if (!state.databaseUp) throw new Error('ECONNREFUSED');
            state.paid.push(event);
          },
        }),
      );
      return { state, server: await listen(app) };
    }

    test('without an inbox: the provider gives up while the database is down, and the notification is lost', async () => {
      const { state, server } = await merchant(undefined);
      try {
        const outcome = await deliverLikePay247(`${server.url}/notify/pay247`, buildPay247Notification({ secret: SECRET }));
        expect(outcome).toEqual({ acked: false, tries: 6 });
        state.databaseUp = true;
        expect(state.paid).toEqual([]);
      } finally {
        await server.close();
      }
    });

    test('with an inbox: acked at the first try, retried past the provider budget, delivered once the database is back', async () => {
      // The inbox's own budget: attempts enough to outlast the outage (the defaults, 20 attempts up to an hour apart, span hours).
      const { state, server } = await merchant(backend.fresh()({ pollIntervalMs: 10, retry: { maxAttempts: 1000, baseDelayMs: 5, maxDelayMs: 20 } }));
      try {
        const n = buildPay247Notification({ secret: SECRET });
        expect(await deliverLikePay247(`${server.url}/notify/pay247`, n)).toEqual({ acked: true, tries: 1 });
        // Down for longer than Pay247's whole budget (3+9+27+81+243 = 363 scaled ms), retried all along.
        const budget = PAY247.retryDelaysMs.reduce((a, b) => a + b, 0) / SPEED;
        const downSince = Date.now();
        await until(() => Date.now() - downSince > budget * 1.5, 20);
        expect(state.attempts).toBeGreaterThan(PAY247.retryDelaysMs.length + 1);
        expect(state.paid).toEqual([]);
        state.databaseUp = true;
        await until(() => state.paid.length === 1);
        expect(state.paid[0].id).toBe(`${n.fields.order_no}:2`);
      } finally {
        await server.close();
      }
    });
  });
}

describe('a dependency down for longer than the provider retries', () => {
  const sqlite = sqliteBackend();
  afterAll(() => sqlite.dispose());
  describeOutage(sqlite);
});

describeWithRedis('a dependency down for longer than the provider retries (Redis)', () => {
  const redis = redisBackend();
  beforeAll(() => redis.start());
  afterAll(() => redis.server()?.stop());
  describeOutage(redis);
});
