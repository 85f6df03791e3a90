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

  test('rejects a nonsensical bound', () => {
    expect(() => new MemoryDedupStore({ maxEntries: 0 })).toThrow(TypeError);
  });
});
