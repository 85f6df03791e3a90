/**
 * Replay, retry now and purge, on both backends: the first post only asks
 * (nothing changes), the confirmed post acts on what is still in the state
 * the action is for, and the log says who did what.
 */
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { describeWithRedis } from '../helpers/redis-server';
import { redisBackend, sqliteBackend, type Backend } from '../inbox/backends';
import { get, headerAuthorize, postForm, recordingLogger, serveDashboard, tokenOf, type Dashboard } from './harness';
import { event, keyOf, seedInbox, type Seeded } from './seed';

const [express5] = EXPRESS_VERSIONS;

function describeActions(backend: Backend): void {
  describe(`actions on ${backend.name}`, () => {
    const dead = [event('pay247', 'D1'), event('pay247', 'D2'), event('sgate', 'D3')];
    const retrying = event('pay247', 'R1');
    const done = event('pay247', 'OK1');
    let seeded: Seeded;
    let dashboard: Dashboard;
    const logger = recordingLogger();
    /** How far ahead of the real time the dashboard's clock is. */
    let ahead = 0;

    beforeEach(async () => {
      ahead = 0;
      seeded = await seedInbox(backend.fresh(), { dead, retrying: [retrying], done: [done] });
      dashboard = await serveDashboard(express5, { inbox: seeded.inbox, authorize: headerAuthorize, logger, now: () => Date.now() + ahead });
      logger.lines.length = 0;
    });
    afterEach(async () => {
      await dashboard.server.close();
      await backend.closeAll();
    });

    const states = async () => Object.fromEntries((await seeded.inbox.list({ state: 'all' })).map((entry) => [entry.key, entry.state]));
    const deadListToken = async () => tokenOf((await get(`${dashboard.url}/entries?state=dead`)).body, '/replay');

    test('replay many: the confirmation lists them and changes nothing; confirmed, each is delivered', async () => {
      const token = await deadListToken();
      const keys = dead.slice(0, 2).map(keyOf);
      const before = await states();
      const ask = await postForm(`${dashboard.url}/replay`, [['token', token], ...keys.map((key): [string, string] => ['key', key])]);
      expect(ask.status).toBe(200);
      expect(ask.body).toContain('These 2 dead letters become due now');
      for (const key of keys) expect(ask.body).toContain(`<input type="hidden" name="key" value="${key}">`);
      expect(await states()).toEqual(before);

      for (const key of keys) seeded.failing.delete(key);
      const confirmToken = tokenOf(ask.body, '/replay');
      const done = await postForm(`${dashboard.url}/replay`, [['token', confirmToken], ['confirm', 'yes'], ...keys.map((key): [string, string] => ['key', key])]);
      expect(done.status).toBe(303);
      expect(done.headers.get('location')).toBe('/admin/webhooks/entries?state=dead&notice=replayed&count=2&skipped=0');
      for (const key of keys) await seeded.reported('delivered', key);
      expect(await states()).toMatchObject({ [keys[0]]: 'done', [keys[1]]: 'done', [keyOf(dead[2])]: 'dead' });
      expect(logger.lines).toEqual([{ level: 'info', message: expect.stringContaining('ops@shop replayed 2 dead letters'), details: { principal: 'ops@shop', action: 'replay', keys } }]);
      const landing = await get(`${dashboard.url}${done.headers.get('location')!.slice('/admin/webhooks'.length)}`);
      expect(landing.body).toContain('Replayed 2 entries');
    });

    test('replay every dead letter at once', async () => {
      const ask = await postForm(`${dashboard.url}/replay`, [['token', await deadListToken()], ['all', 'dead']]);
      expect(ask.body).toContain('Every dead letter becomes due now');
      const confirmed = await postForm(`${dashboard.url}/replay`, [['token', tokenOf(ask.body, '/replay')], ['all', 'dead'], ['confirm', 'yes']]);
      expect(confirmed.status).toBe(303);
      expect(confirmed.headers.get('location')).toContain('count=3');
      expect(Object.values(await states()).filter((state) => state === 'dead')).toHaveLength(0);
    });

    test('replay leaves alone what is no longer dead (a retrying or done entry named in a stale form) and says so', async () => {
      const token = await deadListToken();
      const keys = [keyOf(dead[0]), keyOf(retrying), keyOf(done), 'pay247:no-such'];
      const before = await seeded.inbox.get(keyOf(retrying));
      const page = await postForm(`${dashboard.url}/replay`, [['token', token], ['confirm', 'yes'], ...keys.map((key): [string, string] => ['key', key])]);
      expect(page.headers.get('location')).toContain('count=1&skipped=3');
      expect(await seeded.inbox.get(keyOf(retrying))).toMatchObject({ attempts: before!.attempts, nextAttemptAt: before!.nextAttemptAt });
      expect((await seeded.inbox.get(keyOf(done)))!.state).toBe('done');
    });

    test('retry now: a retrying entry an hour from its next attempt is delivered at once', async () => {
      const key = keyOf(retrying);
      const entryPage = (await get(`${dashboard.url}/entry?key=${encodeURIComponent(key)}`)).body;
      expect(entryPage).toContain('Retry now');
      seeded.failing.delete(key);
      const ask = await postForm(`${dashboard.url}/retry`, [['token', tokenOf(entryPage, '/retry')], ['key', key]]);
      expect(ask.body).toContain('attempts are counted from 0 again');
      expect((await seeded.inbox.get(key))!.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() + 1_000_000);
      const confirmed = await postForm(`${dashboard.url}/retry`, [['token', tokenOf(ask.body, '/retry')], ['key', key], ['confirm', 'yes']]);
      expect(confirmed.status).toBe(303);
      await seeded.reported('delivered', key);
      expect((await seeded.inbox.get(key))!.state).toBe('done');
      expect(logger.lines[0]).toMatchObject({ level: 'info', details: { principal: 'ops@shop', action: 'retry', keys: [key] } });
    });

    test('retry now on a dead letter does nothing (replay is for those)', async () => {
      const entryPage = (await get(`${dashboard.url}/entry?key=${encodeURIComponent(keyOf(retrying))}`)).body;
      const page = await postForm(`${dashboard.url}/retry`, [['token', tokenOf(entryPage, '/retry')], ['key', keyOf(dead[0])], ['confirm', 'yes']]);
      expect(page.headers.get('location')).toContain('count=0&skipped=1');
      expect((await seeded.inbox.get(keyOf(dead[0])))!.state).toBe('dead');
    });

    test('purge by age: nothing goes before the confirmation; then only entries finished before the age chosen', async () => {
      const token = tokenOf((await get(`${dashboard.url}/`)).body, '/purge');
      const ask = await postForm(`${dashboard.url}/purge`, [['token', token], ['state', 'dead'], ['olderThan', '1h']]);
      expect(ask.body).toContain('This cannot be undone');
      expect(Object.keys(await states())).toHaveLength(5);
      const confirm = tokenOf(ask.body, '/purge');
      // Everything here finished moments ago: an hour's age deletes none of it.
      const none = await postForm(`${dashboard.url}/purge`, [['token', confirm], ['state', 'dead'], ['olderThan', '1h'], ['confirm', 'yes']]);
      expect(none.headers.get('location')).toBe('/admin/webhooks/?notice=purged&count=0&purged=dead');
      expect(Object.keys(await states())).toHaveLength(5);
      expect(logger.lines[0]).toMatchObject({ level: 'info', details: { principal: 'ops@shop', action: 'purge', state: 'dead', count: 0 } });

      // Two hours on: the dead letters are older than an hour, and only they go.
      ahead = 2 * 3_600_000;
      const token2 = tokenOf((await get(`${dashboard.url}/`)).body, '/purge');
      const all = await postForm(`${dashboard.url}/purge`, [['token', token2], ['state', 'dead'], ['olderThan', '1h'], ['confirm', 'yes']]);
      expect(all.headers.get('location')).toBe('/admin/webhooks/?notice=purged&count=3&purged=dead');
      expect(await states()).toEqual({ [keyOf(retrying)]: 'pending', [keyOf(done)]: 'done' });
      expect((await get(`${dashboard.url}/?notice=purged&count=3&purged=dead`)).body).toContain('Purged 3 dead entries.');
    });

    test('purge refuses pending, unknown states and ages not offered (400), and deletes nothing', async () => {
      const token = tokenOf((await get(`${dashboard.url}/`)).body, '/purge');
      for (const [state, age] of [['pending', '1h'], ['all', '1h'], ['dead', '0h'], ['dead', '-1d'], ['dead', '']]) {
        const page = await postForm(`${dashboard.url}/purge`, [['token', token], ['state', state], ['olderThan', age], ['confirm', 'yes']]);
        expect(page.status).toBe(400);
      }
      expect(Object.keys(await states())).toHaveLength(5);
    });

    test('absurd action inputs are 400s, not 500s: no key, 501 keys, a key of 2000 characters', async () => {
      const token = await deadListToken();
      const cases: Array<Array<[string, string]>> = [[], Array.from({ length: 501 }, (_, i): [string, string] => ['key', `pay247:${i}`]), [['key', 'k'.repeat(2000)]]];
      for (const keys of cases) expect((await postForm(`${dashboard.url}/replay`, [['token', token], ['confirm', 'yes'], ...keys])).status).toBe(400);
      const huge = await postForm(`${dashboard.url}/replay`, [['token', token], ['key', 'k'.repeat(300_000)]]);
      expect(huge.status).toBe(413);
    });
  });
}

const sqlite = sqliteBackend();
afterAll(() => sqlite.dispose());
describeActions(sqlite);

describeWithRedis('RedisInbox', () => {
  const redis = redisBackend();
  beforeAll(() => redis.start());
  afterAll(() => redis.server().stop());
  describeActions(redis);
});
