import { MemoryDedupStore, type DedupStore } from '../../lib';
import { ClaimRenewals, type RenewalFailure } from '../../lib/dedup/claim-renewal';
import { deferred } from '../helpers/async';

/** A store whose renewals answer when the test says. */
function heldStore(): { store: DedupStore; renewals: ReturnType<typeof deferred<boolean>>[] } {
  const memory = new MemoryDedupStore();
  const renewals: ReturnType<typeof deferred<boolean>>[] = [];
  const store: DedupStore = {
    claim: (key, ttl, token) => memory.claim(key, ttl, token),
    renew: () => {
      const renewal = deferred<boolean>();
      renewals.push(renewal);
      return renewal.promise;
    },
    complete: (key, ttl, token) => memory.complete(key, ttl, token),
    release: (key, token) => memory.release(key, token),
  };
  return { store, renewals };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('ClaimRenewal', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  test('renews every lockTtlMs / 3 with the lock TTL and token, one renewal at a time', async () => {
    const memory = new MemoryDedupStore();
    const renew = jest.spyOn(memory, 'renew');
    await memory.claim('k', 900, 'tok');
    const renewal = new ClaimRenewals(memory, 900).start('k', 'tok', () => undefined);
    jest.advanceTimersByTime(299);
    expect(renew).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(renew).toHaveBeenCalledWith('k', 900, 'tok');
    await flush();
    jest.advanceTimersByTime(300);
    expect(renew).toHaveBeenCalledTimes(2);
    renewal.stop();
    jest.advanceTimersByTime(3000);
    expect(renew).toHaveBeenCalledTimes(2);
  });

  test('a slow store: no second renewal is queued behind one still waiting', async () => {
    const { store, renewals } = heldStore();
    const renewal = new ClaimRenewals(store, 300).start('k', 't', () => undefined);
    jest.advanceTimersByTime(1000);
    expect(renewals).toHaveLength(1);
    renewals[0].resolve(true);
    await flush();
    jest.advanceTimersByTime(100);
    expect(renewals).toHaveLength(2);
    renewal.stop();
  });

  test('lost (false): reported once, and renewals stop', async () => {
    const { store, renewals } = heldStore();
    const failures: RenewalFailure[] = [];
    new ClaimRenewals(store, 300).start('k', 't', (failure) => failures.push(failure));
    jest.advanceTimersByTime(100);
    renewals[0].resolve(false);
    await flush();
    jest.advanceTimersByTime(1000);
    expect(renewals).toHaveLength(1);
    expect(failures).toEqual([{ lost: true }]);
  });

  test('a store failure: reported once, with its cause, and renewals go on (the lock may still be ours)', async () => {
    const { store, renewals } = heldStore();
    const failures: RenewalFailure[] = [];
    const renewal = new ClaimRenewals(store, 300).start('k', 't', (failure) => failures.push(failure));
    const cause = new Error('ETIMEDOUT');
    for (let i = 0; i < 3; i++) {
      jest.advanceTimersByTime(100);
      renewals[i].reject(cause);
      await flush();
    }
    expect(renewals).toHaveLength(3);
    expect(failures).toEqual([{ lost: false, cause }]);
    renewal.stop();
  });

  test('an answer arriving after stop() is ignored: a run that just completed is not reported as having lost its claim', async () => {
    const { store, renewals } = heldStore();
    const failures: RenewalFailure[] = [];
    const renewal = new ClaimRenewals(store, 300).start('k', 't', (failure) => failures.push(failure));
    jest.advanceTimersByTime(100);
    renewal.stop();
    renewals[0].resolve(false);
    await flush();
    expect(failures).toEqual([]);
  });

  test('a store whose renew throws synchronously fails the renewal, not the process', async () => {
    const failures: RenewalFailure[] = [];
    const store: DedupStore = {
      ...heldStore().store,
      renew: () => {
        throw new Error('sync');
      },
    };
    const renewal = new ClaimRenewals(store, 300).start('k', 't', (failure) => failures.push(failure));
    jest.advanceTimersByTime(100);
    await flush();
    expect(failures).toMatchObject([{ lost: false, cause: { message: 'sync' } }]);
    renewal.stop();
  });

  test('an absurd lockTtlMs does not turn into a renewal every millisecond', () => {
    const memory = new MemoryDedupStore();
    const renew = jest.spyOn(memory, 'renew');
    const renewal = new ClaimRenewals(memory, 1e12).start('k', 't', () => undefined);
    jest.advanceTimersByTime(10_000);
    expect(renew).not.toHaveBeenCalled();
    renewal.stop();
  });
});
