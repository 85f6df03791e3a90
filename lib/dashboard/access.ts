import type { IncomingMessage } from 'node:http';

/** Refuses a request: 401 (with a challenge, e.g. `Basic realm="webhooks"`) asks for credentials, 403 refuses these. */
export interface DashboardDenial {
  deny: 401 | 403;
  /** The WWW-Authenticate header of a 401. */
  challenge?: string;
}

/**
 * What `authorize` answers: `true`, or the principal's name (it goes into the
 * log of every action), lets the request through; `false` is a 403; a
 * `DashboardDenial` says which refusal. Anything else refuses too.
 */
export type DashboardAccess = boolean | string | DashboardDenial;

export type DashboardAuthorize<Req extends IncomingMessage = IncomingMessage> = (req: Req) => DashboardAccess | Promise<DashboardAccess>;

export type AccessDecision =
  | { allowed: true; principal: string }
  /** `misused`: authorize answered something it should not (a bug of the app's, worth a warning). */
  | { allowed: false; status: 401 | 403; challenge?: string; misused?: string };

/** The name that stands for a principal `authorize` did not name. */
export const ANONYMOUS = 'authorized user';

/** Principal names go into logs and pages: printable, bounded. */
function principalName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?').slice(0, 120);
  return clean === '' ? ANONYMOUS : clean;
}

/** Fails closed: only `true`, a string and a well-formed denial mean anything. */
export function decide(answer: unknown): AccessDecision {
  if (answer === true) return { allowed: true, principal: ANONYMOUS };
  if (typeof answer === 'string') return { allowed: true, principal: principalName(answer) };
  if (answer !== null && typeof answer === 'object' && (answer as DashboardDenial).deny === 401) {
    const challenge = (answer as DashboardDenial).challenge;
    return {
      allowed: false,
      status: 401,
      challenge: typeof challenge === 'string' && /^[\x20-\x7e]+$/.test(challenge) ? challenge : undefined,
    };
  }
  if (answer === false || (answer !== null && typeof answer === 'object' && (answer as DashboardDenial).deny === 403)) {
    return { allowed: false, status: 403 };
  }
  return { allowed: false, status: 403, misused: `authorize answered ${answer === null ? 'null' : typeof answer}, not true, a principal name or a denial` };
}
