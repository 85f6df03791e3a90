/**
 * Cross-site posts: an action needs the token of a form the dashboard served
 * to this principal for this action, recently, and a post whose Origin is
 * this dashboard. The browser sends the operator's credentials along with a
 * forged post; neither check can be met from another site.
 */
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { sqliteBackend } from '../inbox/backends';
import { get, headerAuthorize, postForm, recordingLogger, serveDashboard, tokenOf, type Dashboard } from './harness';
import { event, keyOf, seedInbox, type Seeded } from './seed';

const backend = sqliteBackend();
afterAll(() => backend.dispose());

const DEAD = event('pay247', 'MP1');
const KEY = keyOf(DEAD);

describe.each(EXPRESS_VERSIONS)('CSRF on $name', (express) => {
  let dashboard: Dashboard;
  let seeded: Seeded;
  let clock = Date.parse('2026-12-01T08:00:00Z');
  const logger = recordingLogger();

  beforeEach(async () => {
    seeded = await seedInbox(backend.fresh(), { dead: [DEAD] });
    dashboard = await serveDashboard(express, { inbox: seeded.inbox, authorize: headerAuthorize, logger, now: () => clock });
    logger.lines.length = 0;
  });
  afterEach(async () => {
    await dashboard.server.close();
    await backend.closeAll();
  });

  const entryUrl = () => `${dashboard.url}/entry?key=${encodeURIComponent(KEY)}`;
  const replayToken = async (user = 'ops@shop') => tokenOf((await get(entryUrl(), user)).body, '/replay');
  const state = async () => (await seeded.inbox.get(KEY))!.state;

  async function expectRefused(fields: Array<[string, string]>, options: Parameters<typeof postForm>[2] = {}): Promise<void> {
    const page = await postForm(`${dashboard.url}/replay`, [...fields, ['key', KEY], ['confirm', 'yes']], options);
    expect(page.status).toBe(403);
    expect(await state()).toBe('dead');
    expect(logger.lines.at(-1)).toMatchObject({ level: 'warn', details: { action: 'replay' } });
    const token = fields.find(([name]) => name === 'token')?.[1] ?? '';
    if (token.length > 8) expect(JSON.stringify(logger.lines)).not.toContain(token.slice(0, 200));
  }

  test('the real form posts: its token and same-origin Origin replay the dead letter, logged with who did it', async () => {
    seeded.failing.delete(KEY);
    const page = await postForm(`${dashboard.url}/replay`, [['token', await replayToken()], ['key', KEY], ['confirm', 'yes']]);
    expect(page.status).toBe(303);
    await seeded.reported('delivered', KEY);
    expect(await state()).toBe('done');
    expect(logger.lines).toContainEqual({ level: 'info', message: expect.stringContaining('ops@shop replayed 1 dead letter'), details: { principal: 'ops@shop', action: 'replay', keys: [KEY] } });
  });

  test('no token, an empty one, a made-up one: refused', async () => {
    await expectRefused([]);
    await expectRefused([['token', '']]);
    await expectRefused([['token', `${clock}.AAAA`]]);
    await expectRefused([['token', 'x'.repeat(5000)]]);
  });

  test("another principal's token (a colleague's page, or the attacker's own login): refused", async () => {
    await expectRefused([['token', await replayToken('mallory')]]);
  });

  test('a token of another form (purge) does not replay', async () => {
    const purgeToken = tokenOf((await get(`${dashboard.url}/`)).body, '/purge');
    await expectRefused([['token', purgeToken]]);
  });

  test('a token older than 12 hours: refused; one a little younger still works', async () => {
    const token = await replayToken();
    clock += 12 * 3_600_000 + 1;
    await expectRefused([['token', token]]);
    clock -= 2;
    const page = await postForm(`${dashboard.url}/replay`, [['token', token], ['key', KEY], ['confirm', 'yes']]);
    expect(page.status).toBe(303);
  });

  test('a valid token from another site (Origin), from nowhere (no Origin nor Referer), or Origin null: refused', async () => {
    const token = await replayToken();
    await expectRefused([['token', token]], { origin: 'https://evil.example' });
    await expectRefused([['token', token]], { origin: `http://127.0.0.1.evil.example` });
    await expectRefused([['token', token]], { origin: null });
    await expectRefused([['token', token]], { origin: 'null' });
    await expectRefused([['token', token]], { origin: null, headers: { referer: 'https://evil.example/page' } });
    // An old browser's same-origin Referer is accepted in place of Origin.
    const page = await postForm(`${dashboard.url}/replay`, [['token', token], ['key', KEY]], { origin: null, headers: { referer: `${dashboard.url}/` } });
    expect(page.status).toBe(200);
  });

  test('a form sent as text/plain or JSON (what a cross-site page can send without a preflight) carries no fields: refused', async () => {
    const token = await replayToken();
    for (const type of ['text/plain', 'application/json']) {
      const response = await fetch(`${dashboard.url}/replay`, {
        method: 'POST',
        headers: { 'content-type': type, 'x-test-user': 'ops@shop', origin: new URL(dashboard.url).origin },
        body: type === 'text/plain' ? `token=${token}&key=${KEY}&confirm=yes` : JSON.stringify({ token, key: KEY, confirm: 'yes' }),
      });
      expect(response.status).toBe(403);
    }
    expect(await state()).toBe('dead');
  });

  test('actions are POST only: GET on an action is a 405 and changes nothing; pages refuse POST', async () => {
    const page = await get(`${dashboard.url}/replay?key=${encodeURIComponent(KEY)}&confirm=yes&token=${await replayToken()}`);
    expect(page.status).toBe(405);
    expect(page.headers.get('allow')).toBe('POST');
    expect(await state()).toBe('dead');
    expect((await postForm(`${dashboard.url}/`, [])).status).toBe(405);
  });

  test('an app-wide urlencoded body parser in front of the dashboard: the form still works', async () => {
    await dashboard.server.close();
    dashboard = await serveDashboard(express, { inbox: seeded.inbox, authorize: headerAuthorize, logger, now: () => clock }, (app) => app.use(express.urlencoded({ extended: true })));
    const page = await postForm(`${dashboard.url}/replay`, [['token', await replayToken()], ['key', KEY], ['confirm', 'yes']]);
    expect(page.status).toBe(303);
  });

  test('the configured origins replace the Host check (a proxy that rewrites Host)', async () => {
    await dashboard.server.close();
    const options = { inbox: seeded.inbox, authorize: headerAuthorize, logger, now: () => clock, origins: ['https://admin.shop.example'] };
    dashboard = await serveDashboard(express, options);
    const token = await replayToken();
    await expectRefused([['token', token]]);
    const page = await postForm(`${dashboard.url}/replay`, [['token', token], ['key', KEY]], { origin: 'https://admin.shop.example' });
    expect(page.status).toBe(200);
  });

  test('tokens of one instance work on another given the same csrfSecret, and not without it', async () => {
    const csrfSecret = 'c'.repeat(32);
    await dashboard.server.close();
    const shared = await serveDashboard(express, { inbox: seeded.inbox, authorize: headerAuthorize, logger, now: () => clock, csrfSecret });
    const other = await serveDashboard(express, { inbox: seeded.inbox, authorize: headerAuthorize, logger, now: () => clock, csrfSecret });
    const lone = await serveDashboard(express, { inbox: seeded.inbox, authorize: headerAuthorize, logger, now: () => clock });
    const token = tokenOf((await get(`${shared.url}/entry?key=${encodeURIComponent(KEY)}`)).body, '/replay');
    expect((await postForm(`${other.url}/replay`, [['token', token], ['key', KEY]])).status).toBe(200);
    expect((await postForm(`${lone.url}/replay`, [['token', token], ['key', KEY]])).status).toBe(403);
    dashboard = shared;
    await Promise.all([other.server.close(), lone.server.close()]);
  });
});
