/**
 * purge({ finishedBefore }) refuses a date that is not one, on both
 * backends: an invalid Date has no time, and taken as "no bound" it would
 * delete every done (or dead) entry.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { RedisInbox, SqliteInbox } from '../../lib';
import type { DurableInbox } from '../../lib/inbox/durable-inbox';
import { RedisInboxStorage } from '../../lib/inbox/redis-inbox';
import { SqliteInboxStorage } from '../../lib/inbox/sqlite-inbox';
import type { InboxStorage } from '../../lib/inbox/storage';
import { describeWithRedis, startRedisServer, type RedisServer } from '../helpers/redis-server';

const event = (id: string) => JSON.stringify({ provider: 'pay247', id, type: 'payout.succeeded', data: {}, signedFields: [], receivedAt: new Date().toISOString() });

/** One done and one dead entry, finished an hour ago. */
async function fill(storage: InboxStorage): Promise<void> {
  const hourAgo = Date.now() - 3_600_000;
  await storage.put('pay247:done', 'pay247', event('done'), hourAgo);
  await storage.put('pay247:dead', 'pay247', event('dead'), hourAgo);
  for (const entry of await storage.lease(['pay247'], 2, hourAgo, 10_000)) {
    if (entry.key === 'pay247:dead') await storage.bury(entry, hourAgo, 'HANDLER_FAILED');
    else await storage.complete(entry, hourAgo);
  }
}

const NOT_DATES: Array<[string, unknown]> = [
  ['an invalid Date', new Date(NaN)],
  ['a Date past the representable range', new Date(8.64e15 + 1)],
  ['a number', Date.now()],
  ['a date string', '2020-01-01'],
  ['null', null],
];

function purgeBounds(open: () => Promise<{ storage: InboxStorage; inbox: DurableInbox }>): void {
  let storage: InboxStorage;
  let inbox: DurableInbox;
  beforeEach(async () => {
    ({ storage, inbox } = await open());
    await fill(storage);
  });
  afterEach(async () => {
    await inbox.close();
    await storage.close();
  });

  test.each(NOT_DATES)('finishedBefore %s: refused, nothing deleted', async (_name, value) => {
    for (const state of ['done', 'dead'] as const) {
      await expect(inbox.purge({ state, finishedBefore: value as Date })).rejects.toThrow(/finishedBefore must be a valid Date/);
    }
    expect((await storage.list({ state: 'all' })).map((entry) => entry.key).sort()).toEqual(['pay247:dead', 'pay247:done']);
  });

  test('a valid date still bounds the purge', async () => {
    expect(await inbox.purge({ state: 'dead', finishedBefore: new Date(Date.now() - 7_200_000) })).toBe(0);
    expect(await inbox.purge({ state: 'dead', finishedBefore: new Date() })).toBe(1);
  });
}

describe('SqliteInbox.purge', () => {
  const dir = mkdtempSync(join(tmpdir(), 'epw-purge-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  purgeBounds(async () => {
    const path = join(dir, `inbox-${n++}.db`);
    return { storage: new SqliteInboxStorage(path), inbox: new SqliteInbox({ path }) };
  });
});

describeWithRedis('RedisInbox.purge', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server?.stop());
  let n = 0;
  purgeBounds(async () => {
    const prefix = `purge${n++}`;
    return { storage: new RedisInboxStorage(new Redis(server.url), prefix, true), inbox: new RedisInbox({ url: server.url, prefix }) };
  });
});
