/**
 * Claims that hold, over real HTTP on Express 5 and 4, with the memory store
 * and with Redis: a handler slower than lockTtlMs keeps its claim (renewed),
 * a success after the claim was lost still marks the notification done, a
 * handler that never settles is given up at hardTimeoutMs, and an observer
 * that rejects changes nothing.
 */
import { Redis } from 'ioredis';
import { createPay247WebhookMiddleware, MemoryDedupStore, RedisDedupStore, WebhookError, type DedupStore, type Pay247Options } from '../../lib';
import { buildPay247Notification } from '../../lib/testing';
import { deferred, sleep, until } from '../helpers/async';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { describeWithRedis, startRedisServer, type RedisServer } from '../helpers/redis-server';
import { listen, post, type Running } from '../helpers/server';

const SECRET = 'test-secret-claims';
/** Renewed every 100 ms: long enough for a loaded CI machine, short enough that waiting out three is quick. */
const LOCK_TTL_MS = 300;

interface Backend {
  name: string;
  store(): DedupStore;
  /** Make the claim on `key` be lost while its handler runs (its lock lapsed and is gone). */
  loseClaim(key: string): Promise<void>;
}

/** A memory store on a clock the test can jump forward: jumping past the lock TTL loses the claim. */
function memoryBackend(): Backend {
  let skew = 0;
  return {
    name: 'memory',
    store: () => new MemoryDedupStore({ now: () => Date.now() + skew }),
    loseClaim: async () => {
      skew += 60_000;
    },
  };
}

describe.each(EXPRESS_VERSIONS)('claims on $name, memory store', (express) => {
  describeClaims(express, memoryBackend);
});

describeWithRedis('claims with RedisDedupStore', () => {
  let redis: RedisServer;
  let admin: Redis;
  let client: Redis;
  let prefixes = 0;

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

  const redisBackend = (): Backend => {
    const keyPrefix = `claims:${++prefixes}:`;
    return {
      name: 'redis',
      store: () => new RedisDedupStore({ client, keyPrefix }),
      loseClaim: async (key) => void (await admin.del(keyPrefix + key)),
    };
  };
  describe.each(EXPRESS_VERSIONS)('on $name', (express) => {
    describeClaims(express, redisBackend);
  });

  test('Redis stalls during a run: the failed renewal is reported once and aborts ctx.signal, renewals go on, and the claim holds', async () => {
    const store = new RedisDedupStore({ client, keyPrefix: `claims:${++prefixes}:`, timeoutMs: 100 });
    const errors: WebhookError[] = [];
    const gate = deferred();
    const started = deferred();
    let calls = 0;
    let signal: AbortSignal | undefined;
    const app = EXPRESS_VERSIONS[0].create();
    app.post(
      '/n',
      createPay247WebhookMiddleware({
        secret: SECRET,
        store,
        lockTtlMs: 600,
        onError: (error) => void errors.push(error),
        onEvent: async (_event, ctx) => {
          calls++;
          signal = ctx.signal;
          started.resolve();
          await gate.promise;
        },
      }),
    );
    const server = await listen(app);
    try {
      const n = buildPay247Notification({ secret: SECRET });
      const send = () => post(`${server.url}/n`, n.body as string, n.headers);
      const first = send();
      await started.promise;
      await admin.call('CLIENT', 'PAUSE', '350', 'WRITE');
      await until(() => errors.length > 0);
      expect(errors.map((e) => e.code)).toEqual(['CLAIM_LOST']);
      expect((errors[0].cause as Error).message).toMatch(/did not answer in time/);
      expect(signal?.aborted).toBe(true);
      // Well past the lock TTL after the stall: only renewals that went on keep the claim.
      await sleep(1500);
      expect((await send()).status).toBe(503);
      gate.resolve();
      expect((await first).status).toBe(200);
      expect(calls).toBe(1);
      expect(errors.map((e) => e.code)).toEqual(['CLAIM_LOST', 'IN_FLIGHT']);
    } finally {
      await server.close();
    }
  });
});

function describeClaims(express: (typeof EXPRESS_VERSIONS)[number], makeBackend: () => Backend): void {
  let server: Running | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(options: Partial<Omit<Pay247Options, 'secret'>>) {
    const backend = makeBackend();
    const store = backend.store();
    let completions = 0;
    const complete = store.complete.bind(store);
    store.complete = async (...args) => {
      await complete(...args);
      completions++;
    };
    const errors: { error: WebhookError; hadRequest: boolean }[] = [];
    const reported = (code: string) => until(() => errors.some((e) => e.error.code === code));
    const app = express.create();
    app.post(
      '/notify/pay247',
      createPay247WebhookMiddleware({
        secret: SECRET,
        store,
        onError: (error, req) => void errors.push({ error, hadRequest: req !== undefined }),
        onEvent: () => undefined,
        ...options,
      }),
    );
    server = await listen(app);
    const url = `${server.url}/notify/pay247`;
    const n = buildPay247Notification({ secret: SECRET });
    const send = () => post(url, n.body as string, n.headers);
    return { backend, errors, reported, send, codes: () => errors.map((e) => e.error.code), completions: () => completions };
  }

  test('a handler slower than lockTtlMs keeps its claim: a retry after lockTtlMs gets 503 in flight, onEvent runs once', async () => {
    const gate = deferred();
    const started = deferred();
    let calls = 0;
    const { send, codes } = await start({
      lockTtlMs: LOCK_TTL_MS,
      onEvent: async () => {
        calls++;
        started.resolve();
        await gate.promise;
      },
    });
    const first = send();
    await started.promise;
    // Several lock TTLs: only renewals keep the claim this long.
    await sleep(3 * LOCK_TTL_MS);
    expect((await send()).status).toBe(503);
    gate.resolve();
    expect((await first).status).toBe(200);
    expect((await send()).status).toBe(200);
    expect(calls).toBe(1);
    expect(codes()).toEqual(['IN_FLIGHT']);
  });

  test('past handlerTimeoutMs the provider is told 500, yet the claim is still renewed: a retry after lockTtlMs is 503', async () => {
    const gate = deferred();
    let calls = 0;
    const { send, codes } = await start({
      handlerTimeoutMs: 30,
      lockTtlMs: LOCK_TTL_MS,
      hardTimeoutMs: 30_000,
      onEvent: async () => {
        calls++;
        await gate.promise;
      },
    });
    expect((await send()).status).toBe(500);
    await sleep(3 * LOCK_TTL_MS);
    expect((await send()).status).toBe(503);
    gate.resolve();
    await until(async () => (await send()).status === 200);
    expect(calls).toBe(1);
    expect(codes().filter((c) => c !== 'IN_FLIGHT')).toEqual(['HANDLER_TIMEOUT']);
  });

  test('a success after the claim was lost mid-run still marks done: the retry is answered 200 without running; the loss is reported and aborts ctx.signal', async () => {
    const gate = deferred();
    const started = deferred<string>();
    let calls = 0;
    let signal: AbortSignal | undefined;
    const { backend, send, errors, reported } = await start({
      lockTtlMs: LOCK_TTL_MS,
      onEvent: async (event, ctx) => {
        calls++;
        signal = ctx.signal;
        started.resolve(event.id);
        await gate.promise;
      },
    });
    const first = send();
    await backend.loseClaim(`pay247:${await started.promise}`);
    await reported('CLAIM_LOST');
    expect(signal?.aborted).toBe(true);
    gate.resolve();
    expect((await first).status).toBe(200);
    expect((await send()).status).toBe(200);
    expect(calls).toBe(1);
    const lost = errors.find((e) => e.error.code === 'CLAIM_LOST')!;
    expect(lost.error.status).toBe(503);
    expect(lost.error.eventId).toBeDefined();
    expect(lost.hadRequest).toBe(true);
  });

  test('a handler that never settles is given up at hardTimeoutMs: the claim is released and a retry runs; a late success after that marks done', async () => {
    const hung = deferred();
    let calls = 0;
    const { send, codes, errors, reported, completions } = await start({
      handlerTimeoutMs: 30,
      hardTimeoutMs: 250,
      onEvent: async () => {
        calls++;
        if (calls === 1) await hung.promise;
        else throw new Error('second attempt fails');
      },
    });
    // (That a retry before hardTimeoutMs is 503 is the test above.)
    expect((await send()).status).toBe(500);
    await reported('HANDLER_ABANDONED');
    expect(errors.find((e) => e.error.code === 'HANDLER_ABANDONED')!.hadRequest).toBe(false);
    expect((await send()).status).toBe(500);
    expect(calls).toBe(2);
    hung.resolve();
    await until(() => completions() === 1);
    expect((await send()).status).toBe(200);
    expect(calls).toBe(2);
    expect(codes()).toEqual(['HANDLER_TIMEOUT', 'HANDLER_ABANDONED', 'HANDLER_FAILED']);
  });

  test('a late failure after the given-up run is reported (no request), and the key stays free for the retry', async () => {
    const hung = deferred();
    let calls = 0;
    const { send, errors, reported } = await start({
      handlerTimeoutMs: 30,
      hardTimeoutMs: 100,
      onEvent: async () => {
        calls++;
        if (calls === 1) await hung.promise;
      },
    });
    expect((await send()).status).toBe(500);
    await reported('HANDLER_ABANDONED');
    hung.reject(new Error('late failure'));
    await reported('HANDLER_FAILED');
    const late = errors.find((e) => e.error.code === 'HANDLER_FAILED')!;
    expect(late.hadRequest).toBe(false);
    expect(late.error.eventId).toBeDefined();
    expect(late.error.message).not.toContain('late failure');
    expect((await send()).status).toBe(200);
    expect(calls).toBe(2);
  });

  test("a timed-out handler's later failure is reported, with the request, and frees the claim for the retry", async () => {
    const gate = deferred();
    let calls = 0;
    const { send, codes, errors, reported } = await start({
      handlerTimeoutMs: 30,
      onEvent: async () => {
        calls++;
        if (calls === 1) {
          await gate.promise;
          throw new Error('gave up');
        }
      },
    });
    expect((await send()).status).toBe(500);
    gate.resolve();
    await reported('HANDLER_FAILED');
    expect(codes()).toEqual(['HANDLER_TIMEOUT', 'HANDLER_FAILED']);
    expect(errors[1].hadRequest).toBe(true);
    expect((await send()).status).toBe(200);
    expect(calls).toBe(2);
  });

  test('an async onError that rejects: no unhandled rejection, and every answer is unchanged', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let observed = 0;
      const { send } = await start({
        onError: async () => {
          observed++;
          throw new Error('log sink down');
        },
        onEvent: async () => {
          throw new Error('handler fails');
        },
      });
      const junk = await post(`${server!.url}/notify/pay247`, '{"order_no":"x","sign":"forged"}', { 'content-type': 'application/json' });
      expect(junk.status).toBe(401);
      expect((await send()).status).toBe(500);
      // unhandledRejection is emitted once the microtask queue drains: past a macrotask or two.
      await new Promise((resolve) => setImmediate(resolve));
      await sleep(20);
      expect(observed).toBe(2);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test("a WebhookError the merchant threw is reported as a copy: the merchant's own object is left as it was", async () => {
    const thrown = new WebhookError('NOT_CONFIRMED', 'not yet');
    const { send, errors } = await start({
      onEvent: () => {
        throw thrown;
      },
    });
    expect((await send()).status).toBe(409);
    expect((await send()).status).toBe(409);
    expect(thrown.provider).toBeUndefined();
    expect(thrown.eventId).toBeUndefined();
    expect(errors.map((e) => e.error.code)).toEqual(['NOT_CONFIRMED', 'NOT_CONFIRMED']);
    for (const { error } of errors) {
      expect(error).not.toBe(thrown);
      expect(error).toMatchObject({ provider: 'pay247', message: 'not yet' });
      expect(error.eventId).toBeDefined();
    }
  });
}

describe('claim renewal that fails in the store', () => {
  let server: Running | undefined;
  afterEach(async () => {
    await server?.close();
  });

  test('a renewal that rejects is reported once as CLAIM_LOST (with its cause) and aborts ctx.signal; the run still completes', async () => {
    const memory = new MemoryDedupStore();
    let renewals = 0;
    const store: DedupStore = {
      claim: (key, ttl, token) => memory.claim(key, ttl, token),
      renew: () => {
        renewals++;
        return Promise.reject(new Error('ECONNRESET'));
      },
      complete: (key, ttl, token) => memory.complete(key, ttl, token),
      release: (key, token) => memory.release(key, token),
    };
    const errors: WebhookError[] = [];
    const gate = deferred();
    let signal: AbortSignal | undefined;
    const app = EXPRESS_VERSIONS[0].create();
    app.post(
      '/n',
      createPay247WebhookMiddleware({
        secret: SECRET,
        store,
        lockTtlMs: 30,
        onError: (error) => void errors.push(error),
        onEvent: async (_event, ctx) => {
          signal = ctx.signal;
          await gate.promise;
        },
      }),
    );
    server = await listen(app);
    const n = buildPay247Notification({ secret: SECRET });
    const first = post(`${server.url}/n`, n.body as string, n.headers);
    await until(() => renewals >= 3);
    gate.resolve();
    expect((await first).status).toBe(200);
    expect(errors.map((e) => e.code)).toEqual(['CLAIM_LOST']);
    expect((errors[0].cause as Error).message).toBe('ECONNRESET');
    expect(signal?.aborted).toBe(true);
    expect((await post(`${server.url}/n`, n.body as string, n.headers)).status).toBe(200);
  });
});
