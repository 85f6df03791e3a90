import { createPay247WebhookMiddleware } from '../../lib';
import { buildPay247Notification, deliverLikeProvider, PROVIDER_SIDES, type Attempt } from '../../lib/testing';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { listen } from '../helpers/server';

describe('how each provider judges an answer', () => {
  test.each([
    ['pay247', { status: 200, body: 'SUCCESS' }, true],
    ['pay247', { status: 200, body: 'success' }, true],
    ['pay247', { status: 200, body: 'fail' }, false],
    ['pay247', { status: 500, body: 'SUCCESS' }, false],
    ['sgate', { status: 200, body: '' }, true],
    ['sgate', { status: 201, body: '' }, false],
    ['card-issuing', { status: 200, body: '{"code":0,"message":"success"}' }, true],
    ['card-issuing', { status: 200, body: '{"code":1,"message":"no"}' }, false],
    ['card-issuing', { status: 200, body: 'ok' }, false],
    ['pingpong-kyb', { status: 204, body: '' }, true],
    ['pingpong-kyb', { status: 200, body: 'FAIL' }, false],
    ['pingpong-kyb', { status: 503, body: '' }, false],
    ['crypto-gateway', { status: 200, body: 'success' }, true],
    ['crypto-gateway', { status: 200, body: 'fail' }, false],
  ] as const)('%s: %j → acknowledged %s', (provider, answer, expected) => {
    expect(PROVIDER_SIDES[provider].isAcknowledged(answer)).toBe(expected);
  });

  test('documented schedules', () => {
    expect(PROVIDER_SIDES.pay247.retryDelaysMs).toEqual([3000, 9000, 27000, 81000, 243000]);
    expect(PROVIDER_SIDES.sgate.retryDelaysMs).toHaveLength(4);
  });
});

describe('deliverLikeProvider', () => {
  test('retries on the provider schedule, scaled by speed, until the receiver acknowledges', async () => {
    let calls = 0;
    const server = await listen((_req, res) => {
      calls++;
      res.end(calls < 3 ? 'fail' : 'SUCCESS');
    });
    const waits: number[] = [];
    const seen: Attempt[] = [];
    const report = await deliverLikeProvider({
      url: `${server.url}/`,
      notification: { headers: { 'content-type': 'text/plain' }, body: 'x' },
      side: PROVIDER_SIDES.pay247,
      speed: 1000,
      sleep: async (ms) => void waits.push(ms),
      onAttempt: (a) => seen.push(a),
    });
    await server.close();
    expect(report.acknowledged).toBe(true);
    expect(report.attempts.map((a) => a.answer?.body)).toEqual(['fail', 'fail', 'SUCCESS']);
    expect(waits).toEqual([3, 9]);
    expect(seen).toHaveLength(3);
  });

  test('gives up when the schedule runs out; connection errors count as not acknowledged', async () => {
    // A port that was just free: nothing listens on it any more.
    const closed = await listen((_req, res) => res.end());
    await closed.close();
    const report = await deliverLikeProvider({
      url: `${closed.url}/`,
      notification: { headers: {}, body: 'x' },
      side: PROVIDER_SIDES.sgate,
      sleep: async () => undefined,
    });
    expect(report.acknowledged).toBe(false);
    expect(report.attempts).toHaveLength(5);
    expect(report.attempts[0].error).toBe('ECONNREFUSED');
  });

  test.each(EXPRESS_VERSIONS)('against the real middleware ($name): a failing handler is retried and then acknowledged once', async (express) => {
    let calls = 0;
    const app = express.create();
    app.post('/n', createPay247WebhookMiddleware({ secret: 'k', onEvent: () => { if (++calls === 1) throw new Error('db down'); } }));
    const server = await listen(app);
    const report = await deliverLikeProvider({ url: `${server.url}/n`, notification: buildPay247Notification({ secret: 'k' }), side: PROVIDER_SIDES.pay247, speed: 1000 });
    await server.close();
    expect(report.attempts.map((a) => a.answer?.status)).toEqual([500, 200]);
    expect(report.acknowledged).toBe(true);
    expect(calls).toBe(2);
  });
});
