/**
 * A Redis that stops answering (SIGSTOP: connections stay open, nothing
 * comes back) must not leave an operator's page loading forever: past
 * `timeoutMs` the answer is a 503, and the dashboard answers again once
 * Redis does.
 */
import Redis from 'ioredis';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { describeWithRedis } from '../helpers/redis-server';
import { redisBackend } from '../inbox/backends';
import { get, headerAuthorize, recordingLogger, serveDashboard } from './harness';
import { event, seedInbox } from './seed';

describeWithRedis('dashboard over a stalled Redis', () => {
  const redis = redisBackend();
  beforeAll(() => redis.start());
  afterAll(async () => {
    await redis.closeAll();
    await redis.server().stop();
  });

  test('a page waits at most timeoutMs, then 503 without the storage error; it answers again after the stall', async () => {
    const { inbox } = await seedInbox(redis.fresh(), { dead: [event('pay247', 'D1')] });
    const logger = recordingLogger();
    const dashboard = await serveDashboard(EXPRESS_VERSIONS[0], { inbox, authorize: headerAuthorize, logger, timeoutMs: 300 });
    const admin = new Redis(redis.server().url);
    try {
      expect((await get(`${dashboard.url}/`)).status).toBe(200);
      // The redis-server this test started.
      const pid = Number(/process_id:(\d+)/.exec(await admin.info('server'))![1]);
      process.kill(pid, 'SIGSTOP');
      try {
        const page = await get(`${dashboard.url}/entries?state=dead`);
        expect(page.status).toBe(503);
        expect(page.body).toContain('did not answer in time');
        expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining('did not answer within 300 ms') }));
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      expect((await get(`${dashboard.url}/entries?state=dead`)).status).toBe(200);
    } finally {
      admin.disconnect();
      await dashboard.server.close();
    }
  });

  test('timeoutMs must be a positive number', async () => {
    const { createInboxDashboard } = await import('../../lib');
    const inbox = { list: jest.fn(), get: jest.fn(), counts: jest.fn(), replay: jest.fn(), purge: jest.fn() };
    for (const timeoutMs of [0, -1, Number.NaN, Infinity, '5' as unknown as number]) {
      expect(() => createInboxDashboard({ inbox, authorize: () => true, timeoutMs })).toThrow(/timeoutMs must be a positive number/);
    }
  });
});
