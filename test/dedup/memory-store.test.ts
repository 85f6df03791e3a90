import { MemoryDedupStore } from '../../lib';
import { describeDedupStoreConformance } from './conformance';

describeDedupStoreConformance('MemoryDedupStore', () => new MemoryDedupStore());

describe('MemoryDedupStore bounds', () => {
  test('memory stays bounded by maxEntries; the most recent done markers are kept', async () => {
    const store = new MemoryDedupStore({ maxEntries: 1000 });
    for (let i = 0; i < 10_000; i++) {
      await store.claim(`k${i}`, 1000, 't');
      await store.complete(`k${i}`, 60_000, 't');
    }
    expect(store.size).toBeLessThanOrEqual(1000);
    expect(await store.claim('k9999', 1000, 'u')).toBe('done');
    expect(await store.claim('k9500', 1000, 'u')).toBe('done');
    expect(await store.claim('k0', 1000, 'u')).toBe('claimed');
  });

  test('in-flight locks are never evicted by the bound, however many done markers pass', async () => {
    const store = new MemoryDedupStore({ maxEntries: 10 });
    expect(await store.claim('running', 60_000, 'r')).toBe('claimed');
    for (let i = 0; i < 100; i++) {
      await store.claim(`k${i}`, 1000, 't');
      await store.complete(`k${i}`, 60_000, 't');
    }
    expect(await store.claim('running', 60_000, 'x')).toBe('in-flight');
  });

  test('an injected clock drives expiry', async () => {
    let now = 1_000;
    const store = new MemoryDedupStore({ now: () => now });
    await store.claim('k', 100, 'a');
    await store.complete('k', 5_000, 'a');
    now += 4_999;
    expect(await store.claim('k', 100, 'b')).toBe('done');
    now += 2;
    expect(await store.claim('k', 100, 'b')).toBe('claimed');
  });

  test('a done marker expires at its own time, whichever generation holds it and whenever that began', async () => {
    let now = 1_000;
    const store = new MemoryDedupStore({ maxEntries: 4, now: () => now });
    const done = async (key: string, ttl: number) => {
      await store.claim(key, 100, 't');
      await store.complete(key, ttl, 't');
    };
    await done('early', 500); // expires at 1 500
    now = 1_200;
    await done('filler', 60_000); // the generation is full: 'early' moves to the previous one
    now = 1_300;
    await done('late', 500); // a generation begun at 1 200; expires at 1 800
    now = 1_499;
    expect(await store.claim('early', 100, 'x')).toBe('done');
    now = 1_500;
    expect(await store.claim('early', 100, 'x')).toBe('claimed');
    now = 1_799;
    expect(await store.claim('late', 100, 'x')).toBe('done');
    now = 1_800;
    expect(await store.claim('late', 100, 'x')).toBe('claimed');
  });

  test('rejects a nonsensical bound', () => {
    expect(() => new MemoryDedupStore({ maxEntries: 0 })).toThrow(TypeError);
  });
});
