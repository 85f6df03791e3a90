import type { IncomingMessage } from 'node:http';
import { createInboxDashboard, type DashboardLogger, type InboxDashboardOptions } from '../../lib';
import type { ExpressVersion } from '../helpers/express-versions';
import { listen, type Running } from '../helpers/server';

export const MOUNT = '/admin/webhooks';

/** A logger that keeps what it is told. */
export function recordingLogger(): DashboardLogger & { lines: Array<{ level: string; message: string; details?: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; details?: Record<string, unknown> }> = [];
  const record = (level: string) => (message: string, details?: Record<string, unknown>) => void lines.push({ level, message, details });
  return { lines, info: record('info'), warn: record('warn'), error: record('error') };
}

/** The principal a test request names in its `x-test-user` header: what a merchant's session lookup would give. */
export const headerAuthorize = (req: IncomingMessage) => {
  const user = req.headers['x-test-user'];
  return typeof user === 'string' && user !== '' ? user : { deny: 401 as const, challenge: 'Basic realm="webhooks"' };
};

export interface Dashboard {
  url: string;
  base: string;
  server: Running;
}

/** The dashboard mounted where a merchant would mount it, served over real HTTP. */
export async function serveDashboard(express: ExpressVersion, options: InboxDashboardOptions, beforeMount?: (app: ReturnType<ExpressVersion['create']>) => void): Promise<Dashboard> {
  const app = express.create();
  beforeMount?.(app);
  app.use(MOUNT, createInboxDashboard(options));
  const server = await listen(app);
  return { url: `${server.url}${MOUNT}`, base: server.url, server };
}

export interface Page {
  status: number;
  body: string;
  headers: Headers;
}

export async function get(url: string, user = 'ops@shop', headers: Record<string, string> = {}): Promise<Page> {
  const response = await fetch(url, { headers: { 'x-test-user': user, ...headers }, redirect: 'manual' });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** A form post as the browser sends it from a dashboard page: same Origin, urlencoded. */
export async function postForm(url: string, fields: Array<[string, string]>, options: { user?: string; origin?: string | null; headers?: Record<string, string> } = {}): Promise<Page> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', 'x-test-user': options.user ?? 'ops@shop', ...options.headers };
  const origin = options.origin === undefined ? new URL(url).origin : options.origin;
  if (origin !== null) headers.origin = origin;
  const response = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(fields).toString(), redirect: 'manual' });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** The value of the hidden token field of the form posting to `action` on a page. */
export function tokenOf(page: string, action: string): string {
  const form = new RegExp(`<form method="post" action="[^"]*${action}"[^>]*>[\\s\\S]*?name="token" value="([^"]+)"`).exec(page);
  if (form === null) throw new Error(`no ${action} form with a token on the page`);
  return form[1];
}
