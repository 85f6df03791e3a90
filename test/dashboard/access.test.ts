/**
 * Who may use the dashboard: it is not made without `authorize`, and every
 * request, page, stylesheet or action, goes through it first, on Express 5
 * and 4. A refusal or a throwing check shows nothing of the inbox.
 */
import type { IncomingMessage } from 'node:http';
import { createInboxDashboard, type DashboardAccess } from '../../lib';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { sqliteBackend } from '../inbox/backends';
import { get, postForm, recordingLogger, serveDashboard, type Dashboard } from './harness';
import { event, seedInbox } from './seed';

const backend = sqliteBackend();
afterAll(() => backend.dispose());

describe('createInboxDashboard refuses options it cannot work with', () => {
  const inbox = { list: jest.fn(), get: jest.fn(), counts: jest.fn(), replay: jest.fn(), purge: jest.fn() };
  const cases: Array<[string, unknown, RegExp]> = [
    ['no options', undefined, /options \{ inbox, authorize \} are required/],
    ['no authorize', { inbox }, /authorize\(req\) is required/],
    ['authorize not a function', { inbox, authorize: true }, /authorize\(req\) is required/],
    ['no inbox', { authorize: () => true }, /inbox must be a SqliteInbox or a RedisInbox/],
    ['an inbox without counts', { inbox: { ...inbox, counts: undefined }, authorize: () => true }, /inbox must be/],
    ['a short csrfSecret', { inbox, authorize: () => true, csrfSecret: 'short' }, /csrfSecret must be a string of at least 32/],
    ['an origin with a path', { inbox, authorize: () => true, origins: ['https://a.example/admin'] }, /origins must be/],
    ['a logger without error', { inbox, authorize: () => true, logger: { info() {}, warn() {} } }, /logger must have/],
  ];
  test.each(cases)('%s', (_name, options, message) => {
    expect(() => createInboxDashboard(options as never)).toThrow(message);
  });
});

describe.each(EXPRESS_VERSIONS)('access on $name', (express) => {
  let dashboard: Dashboard;
  let answer: (req: IncomingMessage) => DashboardAccess | Promise<DashboardAccess>;
  const asked: string[] = [];
  const logger = recordingLogger();
  const secretKey = 'pay247:do-not-show-me';

  beforeAll(async () => {
    const { inbox } = await seedInbox(backend.fresh(), { dead: [event('pay247', 'do-not-show-me')] });
    dashboard = await serveDashboard(express, {
      inbox,
      logger,
      authorize: (req) => {
        asked.push(`${req.method} ${req.url}`);
        return answer(req);
      },
    });
  });
  afterAll(async () => {
    await dashboard.server.close();
    await backend.closeAll();
  });
  beforeEach(() => {
    asked.length = 0;
    logger.lines.length = 0;
  });

  const everyRoute = ['/', '/entries?state=dead', `/entry?key=${encodeURIComponent(secretKey)}`, '/assets/dashboard.css', '/no-such-page'];

  test('a 401 with the challenge authorize gives, on every page, and nothing of the inbox', async () => {
    answer = () => ({ deny: 401, challenge: 'Basic realm="webhooks", charset="UTF-8"' });
    for (const route of everyRoute) {
      const page = await get(`${dashboard.url}${route}`);
      expect(page.status).toBe(401);
      expect(page.headers.get('www-authenticate')).toBe('Basic realm="webhooks", charset="UTF-8"');
      expect(page.body).not.toContain('do-not-show-me');
      expect(page.body).not.toContain('pay247');
    }
    expect(asked).toHaveLength(everyRoute.length);
  });

  test.each([
    ['false', () => false, false],
    ['{ deny: 403 }', () => ({ deny: 403 as const }), false],
    ['undefined (fails closed, warns)', () => undefined as unknown as DashboardAccess, true],
    ['a number (fails closed, warns)', () => 1 as unknown as DashboardAccess, true],
    ['an object that is no denial (fails closed, warns)', () => ({ principal: 'x' }) as unknown as DashboardAccess, true],
    ['async false', async () => false, false],
  ])('authorize answering %s: 403 everywhere', async (_name, reply, warns) => {
    answer = reply;
    for (const route of everyRoute) {
      const page = await get(`${dashboard.url}${route}`);
      expect(page.status).toBe(403);
      expect(page.body).not.toContain('do-not-show-me');
    }
    expect(logger.lines.filter((line) => line.level === 'warn')).toHaveLength(warns ? everyRoute.length : 0);
  });

  test('actions go through authorize before anything else: a refused post changes nothing', async () => {
    answer = () => false;
    const page = await postForm(`${dashboard.url}/replay`, [['key', secretKey], ['confirm', 'yes']]);
    expect(page.status).toBe(403);
    expect(asked).toEqual([`POST /replay`]);
    answer = () => 'ops';
    expect((await get(`${dashboard.url}/entry?key=${encodeURIComponent(secretKey)}`)).body).toContain('state-dead');
  });

  test('authorize throwing (or rejecting) is a 500 that shows neither the error nor the inbox; the error goes to the logger', async () => {
    for (const reply of [
      () => {
        throw new Error('session store at redis://10.0.0.5 said NOAUTH');
      },
      () => Promise.reject(new Error('session store at redis://10.0.0.5 said NOAUTH')),
    ]) {
      answer = reply;
      const page = await get(`${dashboard.url}/`);
      expect(page.status).toBe(500);
      expect(page.body).not.toMatch(/NOAUTH|10\.0\.0\.5|do-not-show-me/);
    }
    expect(logger.lines.filter((line) => line.level === 'error')).toHaveLength(2);
  });

  test('an async principal is let through on every page; the page names it, escaped and cut to one line', async () => {
    answer = async () => 'ops\n<b>eve</b>';
    const page = await get(`${dashboard.url}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Signed in as ops?&lt;b&gt;eve&lt;/b&gt;');
    expect((await get(`${dashboard.url}/assets/dashboard.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(asked).toHaveLength(2);
  });
});
