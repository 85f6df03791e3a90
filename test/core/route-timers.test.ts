/**
 * A route's handler deadlines and claim renewals share one timer list each:
 * however many notifications are in flight, the route holds two Node timers,
 * and none once they are all answered. Each still times out and renews on
 * its own schedule.
 */
import { MemoryDedupStore, createWebhookHandler, type DedupStore, type Pay247Event } from '../../lib';
import { pay247Spec } from '../../lib/providers/pay247';
import type { RequestFacts } from '../../lib/core/request-facts';
import { buildPay247Notification } from '../../lib/testing';
import { deferred } from '../helpers/async';

const SECRET = 'route-timers-secret';

function facts(seq: number): RequestFacts<undefined> {
  const { body, headers } = buildPay247Notification({ secret: SECRET, format: 'json', fields: { order_no: `RT${seq}`, out_order_no: `ORT${seq}` } });
  return {
    req: undefined,
    method: 'POST',
    headers: headers as RequestFacts['headers'],
    url: '/notify/pay247',
    ip: '127.0.0.1',
    body: async () => ({ raw: Buffer.from(body) }),
  };
}

/** Lets the pipeline's promise chains run (microtasks are not faked; advanceTimersByTimeAsync runs them between timers too). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe('a route under concurrent notifications', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  test('50 in flight hold two Node timers (deadlines, renewals), none once answered; each slow one times out at its own deadline and renews its own claim', async () => {
    const store = new MemoryDedupStore();
    const renew = jest.spyOn(store, 'renew');
    const gates = new Map<string, ReturnType<typeof deferred<void>>>();
    // The static credentials travel in the options, as each provider's factory passes them.
    const handle = createWebhookHandler(pay247Spec(), {
      secret: SECRET,
      store: store as DedupStore,
      handlerTimeoutMs: 1000,
      lockTtlMs: 300,
      logger: false,
      onEvent: (event) => {
        const gate = deferred<void>();
        gates.set((event as Pay247Event).data.order_no, gate);
        return gate.promise;
      },
    } as Parameters<typeof createWebhookHandler>[1]);

    const answers = new Map<number, Promise<{ status: number }>>();
    for (let i = 0; i < 50; i++) {
      answers.set(i, handle(facts(i)));
      await settle();
      // Started 10 ms apart: their deadlines and renewals are each their own.
      await jest.advanceTimersByTimeAsync(10);
    }
    expect(gates.size).toBe(50);
    expect(jest.getTimerCount()).toBe(2);
    // Each renews every lockTtlMs / 3 (100 ms): by 500 ms after the first start, the first has renewed 5 times, the last 0.
    expect(renew.mock.calls.filter(([key]) => key.includes('RT0:')).length).toBe(5);
    expect(renew.mock.calls.filter(([key]) => key.includes('RT49:')).length).toBe(0);

    // Half answer in time.
    for (let i = 0; i < 50; i += 2) gates.get(`RT${i}`)!.resolve();
    await settle();
    for (let i = 0; i < 50; i += 2) await expect(answers.get(i)).resolves.toMatchObject({ status: 200 });

    const renewsOfAnswered = () => renew.mock.calls.filter(([key]) => Number(/RT(\d+):/.exec(key)?.[1]) % 2 === 0).length;
    const renewedWhenAnswered = renewsOfAnswered();

    // The first slow one (started at 10 ms) is due at 1010 ms; it is now 500 ms.
    await jest.advanceTimersByTimeAsync(509);
    // Those answered in time renew no more: their claims are done.
    expect(renewsOfAnswered()).toBe(renewedWhenAnswered);
    await settle();
    let answered = 0;
    for (let i = 1; i < 50; i += 2) void answers.get(i)!.then(() => answered++);
    await settle();
    expect(answered).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    await settle();
    expect(answered).toBe(1);
    await expect(answers.get(1)).resolves.toMatchObject({ status: 500 });
    // The rest at 20 ms intervals, each on time.
    await jest.advanceTimersByTimeAsync(19);
    await settle();
    expect(answered).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    await settle();
    expect(answered).toBe(2);
    await jest.advanceTimersByTimeAsync(1000);
    await settle();
    expect(answered).toBe(25);

    // Timed out but not settled: their claims are still renewed (no retry may run them alongside), on the one list;
    // each has its own hardTimeoutMs timer, set only once it timed out (the rare path).
    expect(jest.getTimerCount()).toBe(1 + 25);
    const renewedBefore = renew.mock.calls.filter(([key]) => key.includes('RT1:')).length;
    await jest.advanceTimersByTimeAsync(100);
    expect(renew.mock.calls.filter(([key]) => key.includes('RT1:')).length).toBe(renewedBefore + 1);
    for (let i = 1; i < 50; i += 2) gates.get(`RT${i}`)!.resolve();
    await settle();
    // Idle: the renewals' emptied list may still hold its (unref'd) timer until it next fires, then none.
    expect(jest.getTimerCount()).toBeLessThanOrEqual(1);
    await jest.advanceTimersByTimeAsync(100);
    expect(jest.getTimerCount()).toBe(0);
  });
});
