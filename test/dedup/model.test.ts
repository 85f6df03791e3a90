import fc from 'fast-check';
import { Redis } from 'ioredis';
import { MemoryDedupStore, RedisDedupStore } from '../../lib';
import { describeWithRedis, startRedisServer, type RedisServer } from '../helpers/redis-server';
import { checkAgainstModel } from './model';

const KEYS = ['pay247:a', 'pay247:b'];

describe('MemoryDedupStore against the model (injected clock)', () => {
  test('random interleavings of claim, renew, complete, release and clock advance', async () => {
    await checkAgainstModel(
      { keys: KEYS, lockTtlMs: fc.integer({ min: 1, max: 100 }), doneTtlMs: fc.integer({ min: 1, max: 300 }), advanceMs: fc.integer({ min: 1, max: 150 }), canExpireLock: false },
      () => {
        let now = 0;
        return { store: new MemoryDedupStore({ now: () => now }), advance: (ms) => (now += ms) };
      },
      200,
    );
  });

  test('with a bound small enough that done markers change generations', async () => {
    await checkAgainstModel(
      { keys: KEYS, lockTtlMs: fc.integer({ min: 1, max: 100 }), doneTtlMs: fc.integer({ min: 1, max: 300 }), advanceMs: fc.integer({ min: 1, max: 150 }), canExpireLock: false },
      () => {
        let now = 0;
        // Two keys, a bound of four: a generation holds two markers, and no live marker is ever evicted.
        return { store: new MemoryDedupStore({ maxEntries: 4, now: () => now }), advance: (ms) => (now += ms) };
      },
      100,
    );
  });
});

describeWithRedis('RedisDedupStore against the model (real redis-server)', () => {
  let redis: RedisServer;
  let admin: Redis;
  let client: Redis;
  let run = 0;

  beforeAll(async () => {
    redis = await startRedisServer();
    admin = new Redis(redis.url);
    client = new Redis(redis.url);
  });

  afterAll(async () => {
    client.disconnect();
    admin.disconnect();
    await redis.stop();
  });

  // Lock expiry is forced (the lock deleted, a done marker left alone); TTLs are long enough never to lapse on their own.
  const EXPIRE_LOCK = `if string.sub(redis.call('GET', KEYS[1]) or '', 1, 5) == 'lock:' then redis.call('DEL', KEYS[1]) end`;

  test('random interleavings of claim, renew, complete, release and forced lock expiry', async () => {
    await checkAgainstModel(
      { keys: KEYS, lockTtlMs: fc.constant(60_000), doneTtlMs: fc.constant(60_000), canExpireLock: true },
      () => {
        const keyPrefix = `model:${++run}:`;
        return {
          store: new RedisDedupStore({ client, keyPrefix }),
          expireLock: async (key) => void (await admin.eval(EXPIRE_LOCK, 1, keyPrefix + key)),
        };
      },
      60,
    );
  });
});
