/**
 * What the pages show, on both backends: the overview's figures, the lists
 * with their filters and pages, an entry in full, and 400/404 for what makes
 * no sense. Times are spread with an injected clock.
 */
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { describeWithRedis } from '../helpers/redis-server';
import { redisBackend, sqliteBackend, type Backend } from '../inbox/backends';
import { get, headerAuthorize, serveDashboard, type Dashboard } from './harness';
import { event, keyOf, seedInbox, type Seeded } from './seed';
import { duration } from '../../lib/dashboard/pages/attempts-table';

const START = Date.parse('2026-11-30T00:00:00Z');
const MINUTE = 60_000;

/** The entry keys a list page shows, in order. */
function keysOn(page: string): string[] {
  return [...page.matchAll(/<td class="key"><a href="[^"]*">([^<]*)<\/a>/g)].map((match) => match[1]);
}

function describePages(backend: Backend): void {
  describe.each(EXPRESS_VERSIONS)(`pages on ${backend.name}, $name`, (express) => {
    let seeded: Seeded;
    let dashboard: Dashboard;
    let clock = START;
    /** How far ahead of the inboxes' clock the dashboard's is (moving the inboxes' would run their retries). */
    let ahead = 0;
    const payouts = Array.from({ length: 60 }, (_, i) => event('pay247', `MP${String(i + 1).padStart(3, '0')}`));
    const salaries = Array.from({ length: 5 }, (_, i) => event('sgate', `SALARY_STATUS_CHANGE:T${i + 1}:1`, 'SALARY_STATUS_CHANGE'));
    const retrying = event('pay247', 'R1', 'payout.failed');
    const delivered = [event('pay247', 'OK1'), event('sgate', 'OK2', 'CUSTOM_STATUS_CHANGE')];
    const waiting = event('crypto-gateway', 'C1', 'recharge');

    beforeAll(async () => {
      clock = START;
      seeded = await seedInbox(backend.fresh(), {
        dead: [...payouts, ...salaries],
        retrying: [retrying],
        done: delivered,
        pending: [waiting],
        now: () => clock,
        tick: () => void (clock += MINUTE),
      });
      dashboard = await serveDashboard(express, { inbox: seeded.inbox, authorize: headerAuthorize, now: () => clock + ahead });
    });
    afterAll(async () => {
      await dashboard.server.close();
      await backend.closeAll();
    });

    test('the overview: counts per provider and state, the oldest pending, the dead letters of the last 24 h', async () => {
      const page = await get(`${dashboard.url}/`);
      expect(page.status).toBe(200);
      const row = (provider: string) => [...new RegExp(`<tr><th scope="row">${provider}</th>(.*?)</tr>`).exec(page.body)![1].matchAll(/>(\d+)<\/a>/g)].map((m) => Number(m[1]));
      expect(row('pay247')).toEqual([1, 60, 1]);
      expect(row('sgate')).toEqual([0, 5, 1]);
      expect(row('crypto-gateway')).toEqual([1, 0, 0]);
      expect(row('all')).toEqual([2, 65, 2]);
      expect(page.body).toContain('<span class="figure">65</span> dead letters in the last 24 h');
      // The oldest pending entry is the retrying one, stored right after the dead letters.
      expect(page.body).toMatch(/oldest pending: <a href="\/admin\/webhooks\/entry\?key=pay247%3AR1">pay247:R1<\/a>/);
    });

    test('a day later the dead letters are no longer "last 24 h"', async () => {
      ahead = 25 * 60 * MINUTE;
      try {
        expect((await get(`${dashboard.url}/`)).body).toContain('<span class="figure">0</span> dead letters in the last 24 h');
      } finally {
        ahead = 0;
      }
    });

    test('dead letters page by page, 50 a page, oldest first', async () => {
      const first = await get(`${dashboard.url}/entries?state=dead`);
      expect(keysOn(first.body)).toEqual(payouts.slice(0, 50).map(keyOf));
      expect(first.body).toContain('65 entries, page 1 of 2');
      expect(first.body).toContain('href="/admin/webhooks/entries?state=dead&amp;page=2" rel="next"');
      const second = await get(`${dashboard.url}/entries?state=dead&page=2`);
      expect(keysOn(second.body)).toEqual([...payouts.slice(50), ...salaries].map(keyOf));
      expect(second.body).not.toContain('rel="next"');
      expect(keysOn((await get(`${dashboard.url}/entries?state=dead&page=3`)).body)).toEqual([]);
    });

    test('filters: provider, type, id prefix, time range, together with paging links that keep them', async () => {
      const keys = async (query: string) => keysOn((await get(`${dashboard.url}/entries?state=dead&${query}`)).body);
      expect(await keys('provider=sgate')).toEqual(salaries.map(keyOf));
      expect(await keys('type=SALARY_STATUS_CHANGE')).toEqual(salaries.map(keyOf));
      expect(await keys('id=MP00')).toEqual(payouts.slice(0, 9).map(keyOf));
      expect(await keys('provider=sgate&id=SALARY_STATUS_CHANGE%3AT2')).toEqual([keyOf(salaries[1])]);
      // Entry i was stored at START + i minutes.
      expect(await keys('from=2026-11-30T00:10&to=2026-11-30T00:13')).toEqual(payouts.slice(10, 13).map(keyOf));
      expect(await keys('from=2026-11-30T01:00:00')).toEqual(salaries.map(keyOf));
      expect(await keys('provider=nobody')).toEqual([]);
      const filtered = await get(`${dashboard.url}/entries?state=dead&provider=pay247`);
      expect(filtered.body).toContain('href="/admin/webhooks/entries?state=dead&amp;provider=pay247&amp;page=2" rel="next"');
      expect(filtered.body).toContain('<option selected>pay247</option>');
    });

    test('retrying, pending and done lists', async () => {
      expect(keysOn((await get(`${dashboard.url}/entries?state=retrying`)).body)).toEqual([keyOf(retrying)]);
      expect(keysOn((await get(`${dashboard.url}/entries?state=pending`)).body)).toEqual([keyOf(retrying), keyOf(waiting)]);
      expect(keysOn((await get(`${dashboard.url}/entries?state=done`)).body)).toEqual(delivered.map(keyOf));
    });

    test('an entry: its facts, attempts and last error, the next attempt of a retrying one, its action', async () => {
      const dead = await get(`${dashboard.url}/entry?key=${encodeURIComponent(keyOf(payouts[0]))}`);
      expect(dead.body).toContain('<dt>Attempts started</dt><dd>1</dd>');
      expect(dead.body).toMatch(/<dt>Last error<\/dt><dd>HANDLER_FAILED: [^<]+<\/dd>/);
      expect(dead.body).toContain('<dt>Given up</dt><dd><time datetime="2026-11-30T');
      expect(dead.body).toContain('>Replay…</button>');
      const retry = await get(`${dashboard.url}/entry?key=${encodeURIComponent(keyOf(retrying))}`);
      expect(retry.body).toMatch(/<dt>Next attempt<\/dt><dd><time datetime="[^"]+">[^<]+<\/time> <span class="muted">\(in \d+ min\)<\/span>/);
      expect(retry.body).toContain('>Retry now…</button>');
      const done = await get(`${dashboard.url}/entry?key=${encodeURIComponent(keyOf(delivered[0]))}`);
      expect(done.body).not.toMatch(/Replay…|Retry now…/);
    });

    test("an entry's attempts: a table with a caption and header cells, each attempt's times, duration, outcome and error", async () => {
      const dead = await get(`${dashboard.url}/entry?key=${encodeURIComponent(keyOf(payouts[0]))}`);
      expect(dead.body).toContain('<caption id="attempts-caption">Attempts of pay247:MP001, oldest first</caption>');
      for (const column of ['Attempt', 'Started', 'Finished', 'Duration', 'Outcome', 'Error']) expect(dead.body).toMatch(new RegExp(`<th scope="col" role="columnheader"[^>]*>${column}</th>`));
      const rows = (body: string) => [...body.matchAll(/<tbody role="rowgroup">([\s\S]*?)<\/tbody>/g)].at(-1)![1].split('</tr>').filter((row) => row.includes('<th scope="row"'));
      expect(rows(dead.body)).toHaveLength(1);
      const cells = /<th scope="row" role="rowheader" class="num"><span class="phone-only">Attempt <\/span>1<\/th>\s*<td [^>]*data-label="Started"><time datetime="([^"]+)">[^<]+<\/time><\/td>\s*<td [^>]*data-label="Finished"><time datetime="([^"]+)">[^<]+<\/time><\/td>\s*<td [^>]*data-label="Duration" class="num">([^<]+)<\/td>\s*<td [^>]*data-label="Outcome"><span class="outcome outcome-failed">failed<\/span><\/td>\s*<td [^>]*data-label="Error" class="error-text">HANDLER_FAILED: onEvent threw or rejected: the handler failed<\/td>/.exec(
        rows(dead.body)[0],
      );
      expect(cells).not.toBeNull();
      const [started, finished] = [Date.parse(cells![1]), Date.parse(cells![2])];
      expect(started).toBeGreaterThanOrEqual(START);
      expect(finished).toBeGreaterThanOrEqual(started);
      expect(cells![3]).toBe(duration(finished - started));
      const done = await get(`${dashboard.url}/entry?key=${encodeURIComponent(keyOf(delivered[0]))}`);
      expect(rows(done.body)).toHaveLength(1);
      expect(rows(done.body)[0]).toContain('<span class="outcome outcome-delivered">delivered</span>');
      // A pending entry never attempted (no consumer for its provider): no table, and its next attempt shown.
      const never = await get(`${dashboard.url}/entry?key=${encodeURIComponent(keyOf(waiting))}`);
      expect(never.body).toContain('No attempt recorded yet.');
      expect(never.body).toMatch(/<dt>Next attempt<\/dt><dd><time datetime=/);
    });

    test('what makes no sense is a 400 or 404 page, not a 500', async () => {
      for (const query of ['state=all', 'state=dead&page=0', 'state=dead&page=abc', 'state=dead&page=9999999', 'state=dead&from=yesterday', 'state=dead&from=2026-02-30T00:00', 'state=dead&from=2026-12-01T00:00&to=2026-11-01T00:00', `state=dead&type=${'x'.repeat(201)}`]) {
        expect([query, (await get(`${dashboard.url}/entries?${query}`)).status]).toEqual([query, 400]);
      }
      expect((await get(`${dashboard.url}/entry`)).status).toBe(400);
      expect((await get(`${dashboard.url}/entry?key=${'k'.repeat(1001)}`)).status).toBe(400);
      expect((await get(`${dashboard.url}/entry?key=pay247%3Anope`)).status).toBe(404);
      expect((await get(`${dashboard.url}/nope`)).status).toBe(404);
      expect((await get(`${dashboard.url}/%E0%A4%A`)).status).toBe(404);
      // Not read as a URL of another host whose path would be /entries.
      expect((await get(`${dashboard.url}//evil.example/entries?state=dead`)).status).toBe(404);
    });

    test('every page is sent with no caching, no framing and a policy that runs no script', async () => {
      for (const path of ['/', '/entries?state=dead', '/nope']) {
        const page = await get(`${dashboard.url}${path}`);
        expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
        expect(page.headers.get('cache-control')).toBe('no-store');
        expect(page.headers.get('x-frame-options')).toBe('DENY');
        expect(page.body).not.toMatch(/<script/i);
      }
    });
  });
}

const sqlite = sqliteBackend();
afterAll(() => sqlite.dispose());
describePages(sqlite);

describeWithRedis('RedisInbox', () => {
  const redis = redisBackend();
  beforeAll(() => redis.start());
  afterAll(() => redis.server().stop());
  describePages(redis);
});
