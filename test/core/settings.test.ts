import { MemoryDedupStore } from '../../lib';
import { resolveSettings } from '../../lib/core/settings';

const onEvent = () => undefined;

describe('hardTimeoutMs', () => {
  test('defaults to max(60 s, 10 × handlerTimeoutMs)', () => {
    expect(resolveSettings('p', { onEvent }).hardTimeoutMs).toBe(60_000);
    expect(resolveSettings('p', { onEvent, handlerTimeoutMs: 1000 }).hardTimeoutMs).toBe(60_000);
    expect(resolveSettings('p', { onEvent, handlerTimeoutMs: 30_000 }).hardTimeoutMs).toBe(300_000);
  });

  test('may equal handlerTimeoutMs, never be below it', () => {
    expect(resolveSettings('p', { onEvent, handlerTimeoutMs: 500, hardTimeoutMs: 500 }).hardTimeoutMs).toBe(500);
    expect(() => resolveSettings('p', { onEvent, handlerTimeoutMs: 500, hardTimeoutMs: 499 })).toThrow(/hardTimeoutMs must be at least handlerTimeoutMs/);
  });

  test.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '1000'])('rejects %p', (value) => {
    expect(() => resolveSettings('p', { onEvent, hardTimeoutMs: value as number })).toThrow(/hardTimeoutMs must be a positive number/);
  });
});

describe('durations the pipeline sets timers for', () => {
  test.each(['handlerTimeoutMs', 'hardTimeoutMs', 'readTimeoutMs'])('%s above what a Node timer takes (it would fire at once) is refused', (name) => {
    expect(() => resolveSettings('p', { onEvent, [name]: 2 ** 31 })).toThrow(new RegExp(`${name} must be at most 2147483647 ms`));
  });

  test('a long handlerTimeoutMs gets a default hardTimeoutMs a timer can take', () => {
    expect(resolveSettings('p', { onEvent, handlerTimeoutMs: 2 ** 30 }).hardTimeoutMs).toBe(2 ** 31 - 1);
  });
});

describe('store', () => {
  const memory = () => new MemoryDedupStore();
  test('a DedupStore with its four methods is taken', () => {
    const store = memory();
    expect(resolveSettings('p', { onEvent, store }).store).toBe(store);
  });

  test.each(['claim', 'renew', 'complete', 'release'])('a store without %s is refused at startup, naming the methods', (method) => {
    const store = memory();
    const partial = { claim: store.claim, renew: store.renew, complete: store.complete, release: store.release, [method]: undefined };
    expect(() => resolveSettings('p', { onEvent, store: partial as never })).toThrow(/store must be a DedupStore, with claim, renew, complete, release methods/);
  });

  test('null is refused', () => {
    expect(() => resolveSettings('p', { onEvent, store: null as never })).toThrow(/store must be a DedupStore/);
  });
});
