import type { DedupStore } from '../../lib';
import { sleep } from '../helpers/async';

/**
 * The behaviour every DedupStore must have, run against each implementation
 * (memory and Redis). TTLs are short real times so they hold for any backend.
 */
export function describeDedupStoreConformance(name: string, makeStore: () => DedupStore | Promise<DedupStore>): void {
  describe(`${name}: DedupStore conformance`, () => {
    let store: DedupStore;
    let n = 0;
    const key = () => `conformance:${process.pid}:${Date.now()}:${n++}`;

    beforeEach(async () => {
      store = await makeStore();
    });

    test('claim → in-flight for others → complete → done', async () => {
      const k = key();
      expect(await store.claim(k, 10_000, 'a')).toBe('claimed');
      expect(await store.claim(k, 10_000, 'b')).toBe('in-flight');
      await store.complete(k, 10_000, 'a');
      expect(await store.claim(k, 10_000, 'c')).toBe('done');
    });

    test('release after a failure lets the next claim run', async () => {
      const k = key();
      expect(await store.claim(k, 10_000, 'a')).toBe('claimed');
      await store.release(k, 'a');
      expect(await store.claim(k, 10_000, 'b')).toBe('claimed');
    });

    test('a lock expires after its TTL (a crashed handler does not block retries forever)', async () => {
      const k = key();
      expect(await store.claim(k, 100, 'a')).toBe('claimed');
      expect(await store.claim(k, 100, 'b')).toBe('in-flight');
      await sleep(250);
      expect(await store.claim(k, 10_000, 'c')).toBe('claimed');
    });

    test('a done marker expires after its TTL', async () => {
      const k = key();
      await store.claim(k, 10_000, 'a');
      await store.complete(k, 100, 'a');
      expect(await store.claim(k, 10_000, 'b')).toBe('done');
      await sleep(250);
      expect(await store.claim(k, 10_000, 'c')).toBe('claimed');
    });

    test('token fencing: a claim whose lock expired can neither renew nor release the new holder', async () => {
      const k = key();
      await store.claim(k, 100, 'old');
      await sleep(250);
      expect(await store.claim(k, 10_000, 'new')).toBe('claimed');
      expect(await store.renew(k, 10_000, 'old')).toBe(false);
      await store.release(k, 'old');
      expect(await store.claim(k, 10_000, 'x')).toBe('in-flight');
      expect(await store.renew(k, 10_000, 'new')).toBe(true);
      await store.complete(k, 10_000, 'new');
      expect(await store.claim(k, 10_000, 'x')).toBe('done');
    });

    test('renew keeps a lock past its first TTL: a slow handler is not run again alongside', async () => {
      const k = key();
      expect(await store.claim(k, 200, 'a')).toBe('claimed');
      await sleep(100);
      expect(await store.renew(k, 10_000, 'a')).toBe(true);
      await sleep(250);
      expect(await store.claim(k, 10_000, 'b')).toBe('in-flight');
    });

    test('renew answers false once the claim is lost: another token, expired, released, done, or never claimed', async () => {
      const k = key();
      expect(await store.renew(k, 10_000, 'a')).toBe(false);
      expect(await store.claim(k, 100, 'a')).toBe('claimed');
      expect(await store.renew(k, 10_000, 'b')).toBe(false);
      await sleep(250);
      expect(await store.renew(k, 10_000, 'a')).toBe(false);
      expect(await store.claim(k, 10_000, 'c')).toBe('claimed');
      await store.release(k, 'c');
      expect(await store.renew(k, 10_000, 'c')).toBe(false);
      expect(await store.claim(k, 10_000, 'd')).toBe('claimed');
      await store.complete(k, 10_000, 'd');
      expect(await store.renew(k, 10_000, 'd')).toBe(false);
      expect(await store.claim(k, 10_000, 'e')).toBe('done');
    });

    test('a late success marks done although its lock expired: the retry is answered done', async () => {
      const k = key();
      await store.claim(k, 100, 'slow');
      await sleep(250);
      await store.complete(k, 10_000, 'slow');
      expect(await store.claim(k, 10_000, 'retry')).toBe('done');
    });

    test('a late success marks done even while a retry holds the key; that retry can no longer renew or undo it', async () => {
      const k = key();
      await store.claim(k, 100, 'slow');
      await sleep(250);
      expect(await store.claim(k, 10_000, 'retry')).toBe('claimed');
      await store.complete(k, 10_000, 'slow');
      expect(await store.claim(k, 10_000, 'x')).toBe('done');
      expect(await store.renew(k, 10_000, 'retry')).toBe(false);
      await store.release(k, 'retry');
      expect(await store.claim(k, 10_000, 'x')).toBe('done');
    });

    test('a done marker is final for its TTL: release by any token never removes it', async () => {
      const k = key();
      await store.claim(k, 10_000, 'a');
      await store.complete(k, 10_000, 'a');
      await store.release(k, 'a');
      await store.release(k, 'b');
      expect(await store.claim(k, 10_000, 'c')).toBe('done');
    });

    test('many concurrent claims of one key: exactly one is claimed', async () => {
      const k = key();
      const states = await Promise.all(Array.from({ length: 50 }, (_, i) => store.claim(k, 10_000, `t${i}`)));
      expect(states.filter((s) => s === 'claimed')).toHaveLength(1);
      expect(states.filter((s) => s === 'in-flight')).toHaveLength(49);
    });

    test('keys are independent', async () => {
      const a = key();
      const b = key();
      await store.claim(a, 10_000, 'a');
      await store.complete(a, 10_000, 'a');
      expect(await store.claim(b, 10_000, 'b')).toBe('claimed');
    });
  });
}
