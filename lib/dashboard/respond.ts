import type { ServerResponse } from 'node:http';

/**
 * Every answer: no caching (pages show live data and tokens), no framing, no
 * script at all, styles only from the dashboard itself, forms only to it.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

export function send(res: ServerResponse, status: number, body: string, type = 'text/html; charset=utf-8', headers: Record<string, string> = {}): void {
  // Already answered (the deadline passed first): the late answer is dropped.
  if (res.headersSent) return;
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers, 'Content-Type': type, 'Content-Length': String(bytes.length) });
  res.end(bytes);
}

/** After a post: 303, so reloading the page it lands on posts nothing again. */
export function redirect(res: ServerResponse, location: string): void {
  send(res, 303, '', 'text/plain; charset=utf-8', { Location: location });
}
