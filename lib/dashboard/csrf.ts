import { createHmac, randomBytes } from 'node:crypto';
import { safeEqual } from '../signing/compare';

/** The forms that change something; a token is good for one of them only. */
export type ActionForm = 'replay' | 'retry' | 'purge';

/** How long a page's form stays usable. */
const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

/**
 * Tokens for the action forms: an HMAC of the authorized principal, the form
 * and the time it was issued, under a key only the server has. A page from
 * another site cannot read one (same-origin policy), so it cannot forge a
 * form post even though the browser sends the operator's credentials along.
 */
export class CsrfTokens {
  private readonly key: Buffer;

  constructor(secret: string | undefined) {
    this.key = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
  }

  issue(principal: string, form: ActionForm, now: number): string {
    const issuedAt = String(Math.floor(now));
    return `${issuedAt}.${this.mac(principal, form, issuedAt)}`;
  }

  valid(token: unknown, principal: string, form: ActionForm, now: number): boolean {
    if (typeof token !== 'string' || token.length > 200) return false;
    const dot = token.indexOf('.');
    const issuedAt = token.slice(0, dot);
    if (dot < 1 || !/^\d{1,16}$/.test(issuedAt)) return false;
    const age = now - Number(issuedAt);
    if (age < -60_000 || age > TOKEN_LIFETIME_MS) return false;
    return safeEqual(token.slice(dot + 1), this.mac(principal, form, issuedAt));
  }

  private mac(principal: string, form: ActionForm, issuedAt: string): string {
    // Lengths first, so no two (principal, form) pairs give the same input.
    return createHmac('sha256', this.key).update(`${principal.length}:${principal}|${form}|${issuedAt}`).digest('base64url');
  }
}

/**
 * The second line against cross-site posts: the browser's Origin (or, where
 * an old browser sends none, Referer) must be the dashboard's own origin,
 * given as `origins` or else the request's Host.
 */
export function sameOrigin(headers: { origin?: string; referer?: string; host?: string }, origins: readonly string[] | undefined): boolean {
  const claimed = headers.origin ?? headers.referer;
  if (claimed === undefined || claimed === 'null') return false;
  let url: URL;
  try {
    url = new URL(claimed);
  } catch {
    return false;
  }
  if (origins !== undefined) return origins.includes(url.origin);
  return headers.host !== undefined && url.host === headers.host.toLowerCase() && (url.protocol === 'http:' || url.protocol === 'https:');
}
