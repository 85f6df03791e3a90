import type { IncomingMessage, ServerResponse } from 'node:http';
import { DAY_MS } from '../core/durations';
import { decide, type AccessDecision } from './access';
import { ACTIONS, ActionInputError } from './actions';
import { CsrfTokens, sameOrigin, type ActionForm } from './csrf';
import { parseListFilters, matches, PAGE_SIZE } from './filters';
import { FormBodyError, readForm } from './form-body';
import { noticeText } from './notices';
import { entriesPage } from './pages/entries';
import { entryPage } from './pages/entry';
import { messagePage, type View } from './pages/layout';
import { overviewPage } from './pages/overview';
import { checkOptions, DEFAULT_TIMEOUT_MS, WHERE, type DashboardInbox, type DashboardLogger, type InboxDashboardOptions } from './options';
import { redirect, send } from './respond';
import { STYLESHEET } from './styles';

export type { DashboardAccess, DashboardAuthorize, DashboardDenial } from './access';
export type { DashboardInbox, DashboardLogger, InboxDashboardOptions } from './options';

/** An Express (4 or 5) handler to mount with `app.use(path, dashboard)`; it answers everything under that path itself. */
export type InboxDashboard = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

/** How many entries of one state a list page or the overview looks through at most. */
const SEARCH_LIMIT = 2000;
const MAX_KEY_LENGTH = 1000;

type DashboardRequest = IncomingMessage & { baseUrl?: string };

const PAGES = new Set(['/', '/entries', '/entry', '/assets/dashboard.css']);
const FORMS = new Set<string>(['/replay', '/retry', '/purge']);

/**
 * The inbox's web page for operators: counts, dead letters, entries with
 * their (masked) events, and replay, retry and purge behind a confirmation.
 * Plain HTML and one stylesheet, no script; it does not route through
 * Express's router, so Express 4 and 5 (and a bare `http` server) behave alike.
 */
export function createInboxDashboard<Req extends IncomingMessage = IncomingMessage>(options: InboxDashboardOptions<Req>): InboxDashboard {
  checkOptions(options as unknown as InboxDashboardOptions<never>);
  const { inbox, authorize, origins } = options;
  const logger: DashboardLogger = options.logger ?? console;
  const now = options.now ?? Date.now;
  const tokens = new CsrfTokens(options.csrfSecret);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function serve(req: DashboardRequest, res: ServerResponse): Promise<void> {
    let access: AccessDecision;
    try {
      access = decide(await authorize(req as unknown as Req));
    } catch (error) {
      logger.error(`${WHERE}: authorize threw; the request was refused.`, { error });
      send(res, 500, messagePage(undefined, 'Access could not be checked', 'The access check failed. Try again later.'));
      return;
    }
    if (!access.allowed) {
      if (access.misused !== undefined) logger.warn(`${WHERE}: ${access.misused}; the request was refused.`);
      const challenge: Record<string, string> = access.challenge === undefined ? {} : { 'WWW-Authenticate': access.challenge };
      send(res, access.status, messagePage(undefined, access.status === 401 ? 'Sign in required' : 'Forbidden', 'You may not use this dashboard.'), undefined, challenge);
      return;
    }
    // Split by hand: as a URL, '//host/entries' would be the path '/entries' of another host.
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = (queryAt === -1 ? target : target.slice(0, queryAt)) || '/';
    const query = new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1));
    const time = now();
    const principal = access.principal;
    const view: View = { base: baseOf(req), principal, now: time, token: (form) => tokens.issue(principal, form, time) };
    const method = req.method ?? 'GET';

    if (PAGES.has(path)) {
      if (method !== 'GET' && method !== 'HEAD') return send(res, 405, messagePage(view, 'Method not allowed', 'Pages are read with GET.'), undefined, { Allow: 'GET, HEAD' });
      return showPage(path, query, view, res);
    }
    if (FORMS.has(path)) {
      if (method !== 'POST') return send(res, 405, messagePage(view, 'Method not allowed', 'Actions are sent with POST from the dashboard’s forms.'), undefined, { Allow: 'POST' });
      return runAction(path.slice(1) as ActionForm, req, res, view);
    }
    send(res, 404, messagePage(view, 'Not found', 'There is no such page.'));
  }

  async function showPage(path: string, query: URLSearchParams, view: View, res: ServerResponse): Promise<void> {
    if (path === '/assets/dashboard.css') return send(res, 200, STYLESHEET, 'text/css; charset=utf-8');
    const notice = noticeText(query);
    if (path === '/') return send(res, 200, overviewPage(view, await overview(inbox, view.now), notice));
    if (path === '/entry') {
      const key = query.get('key');
      if (key === null || key === '' || key.length > MAX_KEY_LENGTH) return send(res, 400, messagePage(view, 'Bad request', 'Give the entry key (provider:eventId) as ?key=.'));
      const [entry, history] = await Promise.all([inbox.get(key), inbox.history?.(key)]);
      if (entry === undefined) return send(res, 404, messagePage(view, 'No such entry', 'It may have been purged, or the key is mistyped.'));
      return send(res, 200, entryPage(view, entry, history, notice));
    }
    const filters = parseListFilters(query);
    if ('errors' in filters) return send(res, 400, messagePage(view, 'Bad filters', filters.errors.join(' ')));
    const [listed, counts] = await Promise.all([
      inbox.list({ state: filters.state === 'retrying' ? 'pending' : filters.state, provider: filters.provider, limit: SEARCH_LIMIT + 1 }),
      inbox.counts(),
    ]);
    const searched = listed.slice(0, SEARCH_LIMIT);
    const matching = searched.filter((entry) => matches(entry, filters));
    const providers = [...new Set([...counts.map((count) => count.provider), ...(filters.provider === undefined ? [] : [filters.provider])])].sort();
    const start = (filters.page - 1) * PAGE_SIZE;
    const data = {
      entries: matching.slice(start, start + PAGE_SIZE),
      total: matching.length,
      searchedOnly: listed.length > SEARCH_LIMIT ? SEARCH_LIMIT : undefined,
      providers,
    };
    send(res, 200, entriesPage(view, filters, data, notice));
  }

  async function runAction(form: ActionForm, req: DashboardRequest, res: ServerResponse, view: View): Promise<void> {
    const refuse = (reason: string) => {
      logger.warn(`${WHERE}: refused a ${form} post from ${view.principal}: ${reason}.`, { principal: view.principal, action: form, reason });
      send(res, 403, messagePage(view, 'Refused', 'This form did not come from this dashboard, or it has expired. Reload the page and try again.'));
    };
    if (!sameOrigin(req.headers as { origin?: string; referer?: string; host?: string }, origins)) return refuse('its Origin is not this dashboard');
    let fields;
    try {
      fields = await readForm(req, res);
    } catch (error) {
      if (error instanceof FormBodyError) return send(res, error.status, messagePage(view, 'Bad request', error.message));
      throw error;
    }
    if (!tokens.valid(fields.get('token'), view.principal, form, view.now)) return refuse('no valid token');
    try {
      const result = await ACTIONS[form]({ view, fields, inbox, logger });
      if ('redirect' in result) redirect(res, result.redirect);
      else send(res, result.status, result.page);
    } catch (error) {
      if (error instanceof ActionInputError) return send(res, 400, messagePage(view, 'Bad request', error.message));
      throw error;
    }
  }

  return function inboxDashboard(req, res) {
    // A stalled storage never answers: the operator gets a 503, not a page loading forever.
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      logger.error(`${WHERE}: the inbox did not answer within ${timeoutMs} ms.`, { method: req.method });
      send(res, 503, messagePage(undefined, 'Inbox not answering', 'The inbox storage did not answer in time. An action may still be carried out: look at the entries before trying again.'));
    }, timeoutMs);
    serve(req, res)
      .catch((error: unknown) => {
        // The storage failed (or a bug): say so without its text, which may name hosts or keys.
        logger.error(`${WHERE}: a request failed.`, { error });
        send(res, 503, messagePage(undefined, 'Inbox unavailable', 'The inbox storage did not answer. Try again in a moment.'));
      })
      .finally(() => clearTimeout(timer));
  };
}

/** The overview's figures: counts, the oldest pending entry, the dead letters of the last day. */
async function overview(inbox: DashboardInbox, now: number) {
  const [counts, oldest, dead] = await Promise.all([inbox.counts(), inbox.list({ state: 'pending', limit: 1 }), inbox.list({ state: 'dead', limit: SEARCH_LIMIT + 1 })]);
  const recentDead = dead
    .slice(0, SEARCH_LIMIT)
    .filter((entry) => entry.finishedAt !== undefined && entry.finishedAt.getTime() >= now - DAY_MS)
    .sort((a, b) => b.finishedAt!.getTime() - a.finishedAt!.getTime());
  return { counts, oldestPending: oldest[0], recentDead, recentDeadTruncated: dead.length > SEARCH_LIMIT };
}

/** Where the dashboard is mounted, as Express says (both majors set `baseUrl`). */
function baseOf(req: DashboardRequest): string {
  return typeof req.baseUrl === 'string' ? req.baseUrl.replace(/\/+$/, '') : '';
}
