/**
 * The dashboard in a real browser (headless Chromium), on both backends, as
 * an operator uses it: overview → dead letters → the entry and its failed
 * attempts → Replay → confirm (with the keyboard) → delivered, the history
 * showing the replay and the success; a phone-width look; a browser
 * without credentials refused; and a page on another site that posts a
 * forged replay form to the dashboard, with the operator's credentials
 * attached by the browser, refused.
 */
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { createInboxDashboard } from '../../lib';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { describeWithRedis } from '../helpers/redis-server';
import { listen, type Running } from '../helpers/server';
import { describeWithPostgres } from '../helpers/postgres-server';
import { postgresBackend, redisBackend, sqliteBackend, type Backend } from '../inbox/backends';
import { describeWithChromium, launchChromium, screenshotDir } from './chromium';
import { MOUNT, recordingLogger } from './harness';
import { event, keyOf, seedInbox, type Seeded } from './seed';

jest.setTimeout(60_000);

const USER = 'ops';
const PASSWORD = 'correct horse battery staple';

/** HTTP Basic, as the example app does it: the merchant's own check, in `authorize`. */
function basicAuthorize(req: { headers: { authorization?: string } }) {
  const [scheme, encoded] = (req.headers.authorization ?? '').split(' ');
  const [user, password] = Buffer.from(encoded ?? '', 'base64').toString('utf8').split(':');
  if (scheme === 'Basic' && user === USER && password === PASSWORD) return user;
  return { deny: 401 as const, challenge: 'Basic realm="webhook inbox"' };
}

const card = {
  card_id: 'C-7731', order_id: 'O-118', holder_id: 'H-9', card_no: '4111111111111111', balance: 250, limit: 500,
  expiry: '12/29', cvv: '987', pin: '4321', status: 2, mark: '',
};
const DEAD = { ...event('card-issuing', 'NTF-20261201-0042', 'card.status.freeze', card), envelope: { notify_id: 'NTF-20261201-0042', customer_id: 7, event: 'card.status.freeze', event_data: JSON.stringify(card) } };
const UNTOUCHED = event('sgate', 'SALARY_STATUS_CHANGE:T88:1700000000', 'SALARY_STATUS_CHANGE');
const HOSTILE = event('pay247', 'MP<img src=x onerror=alert(1)>', '"><script>alert(2)</script>', { note: '</pre><script>alert(3)</script>' });

function describeWalkthrough(backend: Backend, shots: boolean): void {
  describe(`${backend.name} in Chromium`, () => {
    let seeded: Seeded;
    let app: Running;
    let elsewhere: Running;
    let browser: BrowserContext & { dispose(): Promise<void> };
    const shotDir = screenshotDir();
    const logger = recordingLogger();
    const dialogs: string[] = [];

    beforeAll(async () => {
      seeded = await seedInbox(backend.fresh(), {
        dead: [DEAD, HOSTILE, event('pay247', 'MP20261201-0007'), UNTOUCHED],
        retrying: [event('pay247', 'MP20261201-0011', 'payout.failed')],
        done: [event('pay247', 'MP20261201-0001'), event('pay247', 'MP20261201-0002'), event('crypto-gateway', 'TX-51', 'recharge')],
        pending: [event('pingpong-kyb', 'KYC:B-17:APPROVED', 'KYC')],
        deadAfter: 3,
        failWith: () => 'ledger unavailable <b>503</b>',
      });
      const express = EXPRESS_VERSIONS[0].create();
      express.use(MOUNT, createInboxDashboard({ inbox: seeded.inbox, authorize: basicAuthorize, logger }));
      app = await listen(express);
      // Another site: another origin (localhost, not 127.0.0.1) with a page that posts to the dashboard.
      elsewhere = await listen((_req, res) => {
        res.setHeader('content-type', 'text/html');
        res.end(`<!doctype html><form id="f" method="post" action="${app.url}${MOUNT}/replay">
          <input name="key" value="${keyOf(UNTOUCHED)}"><input name="confirm" value="yes"><input name="token" value="guessed.token"></form>
          <script>document.getElementById('f').submit()</script>`);
      });
      browser = await launchChromium({ httpCredentials: { username: USER, password: PASSWORD }, viewport: { width: 1280, height: 800 } });
    });
    afterAll(async () => {
      await browser?.dispose();
      await Promise.all([app?.close(), elsewhere?.close()]);
      await backend.closeAll();
      shotDir.dispose();
    });

    const shoot = async (page: Page, name: string) => {
      if (shots) await page.screenshot({ path: join(shotDir.dir, `${name}.png`), fullPage: true });
    };

    /** The attempts table's rows as the operator reads them: [attempt, outcome, error], replays as ['Replay', …]. */
    const attemptRows = (page: Page) =>
      page.locator('table:has(caption#attempts-caption) tbody tr').evaluateAll((rows) =>
        rows.map((row) => {
          const cells = [...row.querySelectorAll('th, td')].map((cell) => (cell as unknown as { innerText: string }).innerText.trim());
          return row.classList.contains('replay') ? [cells[0]] : [cells[0], cells[4], cells[5]];
        }),
      );
    /** Each attempt's started and finished times, read from the table's time elements. */
    const attemptTimes = (page: Page) =>
      page.locator('table:has(caption#attempts-caption) tbody tr:not(.replay)').evaluateAll((rows) =>
        rows.map((row) => [...row.querySelectorAll('time')].map((time) => Date.parse(time.getAttribute('datetime')!))),
      );

    test('overview → dead letter → its failed attempts → replay → confirmed with the keyboard → delivered, and the history says so', async () => {
      const seededBy = Date.now();
      const page = await browser.newPage();
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      const overview = await page.goto(`${app.url}${MOUNT}/`);
      expect(overview!.status()).toBe(200);
      await expect(page.locator('h1').textContent()).resolves.toBe('Overview');
      expect(await page.locator('.cards li').nth(1).textContent()).toContain('4 dead letters in the last 24 h');
      await shoot(page, 'overview-desktop');

      await page.getByRole('link', { name: 'dead letters', exact: true }).click();
      await expect(page.locator('h1').textContent()).resolves.toBe('Dead letters');
      await shoot(page, 'dead-letters-desktop');

      await page.getByRole('link', { name: keyOf(DEAD) }).click();
      await expect(page.locator('h1').textContent()).resolves.toBe(keyOf(DEAD));
      const shown = await page.locator('pre.event').textContent();
      expect(shown).toContain('"card_no": "•••• 1111"');
      expect(shown).not.toMatch(/4111111111111111|"987"|"4321"|12\/29/);
      const failure = 'HANDLER_FAILED: onEvent threw or rejected: ledger unavailable <b>503</b>';
      expect(await page.locator('caption#attempts-caption').textContent()).toBe(`Attempts of ${keyOf(DEAD)}, oldest first`);
      expect(await attemptRows(page)).toEqual([
        ['1', 'failed', failure],
        ['2', 'failed', failure],
        ['3', 'failed', failure],
      ]);
      // Each failure with its times, in order, all during the seeding.
      const failed = (await attemptTimes(page)).flat();
      expect(failed).toHaveLength(6);
      expect([...failed].sort((x, y) => x - y)).toEqual(failed);
      expect(failed.every((time) => time <= seededBy)).toBe(true);
      await shoot(page, 'entry-desktop');

      await page.getByRole('button', { name: 'Replay…' }).click();
      await expect(page.locator('h1').textContent()).resolves.toBe('Replay dead letters?');
      await shoot(page, 'confirm-desktop');
      expect((await seeded.inbox.get(keyOf(DEAD)))!.state).toBe('dead');

      // The cause is fixed; the operator confirms from the keyboard alone.
      seeded.failing.delete(keyOf(DEAD));
      for (let i = 0; i < 30 && (await page.evaluate('document.activeElement?.textContent')) !== 'Replay'; i++) await page.keyboard.press('Tab');
      await Promise.all([page.waitForURL(/notice=replayed/), page.keyboard.press('Enter')]);
      expect(await page.locator('.notice').textContent()).toContain('Replayed 1 entry');
      await seeded.reported('delivered', keyOf(DEAD));
      await page.reload();
      expect(await page.locator('.state').first().textContent()).toBe('done');
      expect(await attemptRows(page)).toEqual([
        ['1', 'failed', failure],
        ['2', 'failed', failure],
        ['3', 'failed', failure],
        ['Replay'],
        ['1', 'delivered', ''],
      ]);
      expect((await attemptTimes(page)).at(-1)!.every((time) => time >= seededBy)).toBe(true);
      await shoot(page, 'delivered-desktop');
      expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'info', details: { principal: USER, action: 'replay', keys: [keyOf(DEAD)] } }));
      await page.close();
    });

    test('hostile event text runs nothing in the browser: no dialog on the list or its entry page', async () => {
      const page = await browser.newPage();
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await page.goto(`${app.url}${MOUNT}/entries?state=dead`);
      await page.getByRole('link', { name: keyOf(HOSTILE) }).click();
      expect(await page.locator('dl.facts dd').nth(2).textContent()).toBe(HOSTILE.type);
      expect(await page.locator('script').count()).toBe(0);
      expect(dialogs).toEqual([]);
      await page.close();
    });

    test('at phone width the pages fit the screen: nothing wider than the viewport but the tables, which scroll in their box', async () => {
      const page = await browser.newPage();
      await page.setViewportSize({ width: 390, height: 844 });
      for (const [path, name] of [['/', 'overview-phone'], ['/entries?state=dead', 'dead-letters-phone'], [`/entry?key=${encodeURIComponent(keyOf(DEAD))}`, 'entry-phone']]) {
        await page.goto(`${app.url}${MOUNT}${path}`);
        expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
        await shoot(page, name);
      }
      await page.close();
    });

    test('a browser without credentials gets the 401 challenge and no data', async () => {
      const anonymous = await launchChromium();
      try {
        const page = await anonymous.newPage();
        const answered = page.waitForResponse((response) => response.url().includes('/entries'));
        // With no credentials to give, Chromium ends the navigation itself once it has the challenge.
        await page.goto(`${app.url}${MOUNT}/entries?state=dead`).catch(() => undefined);
        const response = await answered;
        expect(response.status()).toBe(401);
        expect(response.headers()['www-authenticate']).toBe('Basic realm="webhook inbox"');
        expect(await response.text()).not.toContain('card-issuing');
      } finally {
        await anonymous.dispose();
      }
    });

    test("another site's page posting a replay form with the operator's credentials is refused, and nothing is replayed", async () => {
      const victim = keyOf(UNTOUCHED);
      const before = await seeded.inbox.get(victim);
      const page = await browser.newPage();
      const forged = page.waitForResponse((response) => response.url().endsWith(`${MOUNT}/replay`));
      await page.goto(`${elsewhere.url.replace('127.0.0.1', 'localhost')}/`);
      const response = await forged;
      expect(response.status()).toBe(403);
      expect(logger.lines.at(-1)).toMatchObject({ level: 'warn', details: { action: 'replay' } });
      expect(await seeded.inbox.get(victim)).toEqual(before);
      await page.close();
    });
  });
}

describeWithChromium('dashboard in a browser', () => {
  const sqlite = sqliteBackend();
  afterAll(() => sqlite.dispose());
  describeWalkthrough(sqlite, true);

  describeWithRedis('RedisInbox', () => {
    const redis = redisBackend();
    beforeAll(() => redis.start());
    afterAll(() => redis.server().stop());
    describeWalkthrough(redis, false);
  });

  describeWithPostgres('PostgresInbox', () => {
    const postgres = postgresBackend();
    beforeAll(() => postgres.start());
    afterAll(() => postgres.server().stop());
    describeWalkthrough(postgres, false);
  });
});
