/**
 * What an action did, carried to the page it redirects to as fixed codes and
 * counts, never as text: a link cannot make the dashboard say anything else.
 */
export type Notice =
  | { done: 'replayed' | 'retried'; count: number; skipped: number }
  | { done: 'purged'; count: number; state: 'done' | 'dead' };

export function noticeQuery(notice: Notice): Record<string, string> {
  const query: Record<string, string> = { notice: notice.done, count: String(notice.count) };
  if (notice.done === 'purged') query.purged = notice.state;
  else query.skipped = String(notice.skipped);
  return query;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function noticeText(query: URLSearchParams): string | undefined {
  const count = Number(query.get('count'));
  const skipped = Number(query.get('skipped') ?? '0');
  if (!Number.isSafeInteger(count) || count < 0 || !Number.isSafeInteger(skipped) || skipped < 0) return undefined;
  const left = skipped === 0 ? '' : ` ${plural(skipped, 'entry was', 'entries were')} left alone: no longer in that state, or gone.`;
  switch (query.get('notice')) {
    case 'replayed':
      return `Replayed ${plural(count, 'entry', 'entries')}: due now, the app delivers at its next poll.${left}`;
    case 'retried':
      return `${plural(count, 'entry is', 'entries are')} due now, the app retries at its next poll.${left}`;
    case 'purged': {
      const state = query.get('purged');
      return state === 'done' || state === 'dead' ? `Purged ${plural(count, `${state} entry`, `${state} entries`)}.` : undefined;
    }
    default:
      return undefined;
  }
}
