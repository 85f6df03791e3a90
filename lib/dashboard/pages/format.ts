import { html, type SafeHtml } from '../html';
import type { InboxEntry } from '../../inbox/inbox';

/** Times are shown in UTC, to the second, the same on every operator's screen. */
export function utc(date: Date | undefined): string {
  return date === undefined ? '' : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function timeElement(date: Date | undefined): SafeHtml {
  return date === undefined ? html`<span class="muted">–</span>` : html`<time datetime="${date.toISOString()}">${utc(date)}</time>`;
}

/** "3 h 5 min ago", "in 20 s": how long from now, coarse. */
export function relative(date: Date, now: number): string {
  const ms = date.getTime() - now;
  const abs = Math.abs(ms);
  const parts =
    abs < 60_000 ? `${Math.round(abs / 1000)} s`
    : abs < 3_600_000 ? `${Math.floor(abs / 60_000)} min`
    : abs < 86_400_000 ? `${Math.floor(abs / 3_600_000)} h ${Math.floor((abs % 3_600_000) / 60_000)} min`
    : `${Math.floor(abs / 86_400_000)} d ${Math.floor((abs % 86_400_000) / 3_600_000)} h`;
  return ms < 0 ? `${parts} ago` : `in ${parts}`;
}

/** A pending entry that has failed before is waiting for a retry. */
export function isRetrying(entry: InboxEntry): boolean {
  return entry.state === 'pending' && entry.attempts > 0 && entry.lastError !== undefined;
}

export function stateBadge(entry: InboxEntry): SafeHtml {
  const label = isRetrying(entry) ? 'retrying' : entry.state;
  return html`<span class="state state-${label}">${label}</span>`;
}

/** A dashboard URL: `base` is the mount path, values are percent-encoded. */
export function href(base: string, path: string, query: Record<string, string | number | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return `${base}${path}${text === '' ? '' : `?${text}`}`;
}

export function entryHref(base: string, key: string): string {
  return href(base, '/entry', { key });
}
