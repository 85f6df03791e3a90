import type { InboxHistoryRecord } from '../../inbox/inbox';
import { HISTORY_LIMIT } from '../../inbox/storage';
import { html, type SafeHtml } from '../html';
import { maskText } from '../mask';
import { timeElement } from './format';

/** "850 ms", "12.3 s", "4 min 3 s": how long an attempt ran. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const OUTCOME_LABELS: Record<Extract<InboxHistoryRecord, { type: 'attempt' }>['outcome'], string> = {
  running: 'running',
  delivered: 'delivered',
  failed: 'failed',
  expired: 'lease expired',
  abandoned: 'abandoned',
};

function row(record: InboxHistoryRecord): SafeHtml {
  if (record.type === 'replay') {
    return html`<tr class="replay" role="row"><th scope="row" role="rowheader">Replay</th><td role="cell" data-label="At">${timeElement(record.at)}</td><td role="cell" colspan="4">Replayed: the attempts are counted from 1 again.</td></tr>`;
  }
  const took = record.finishedAt === undefined ? '' : duration(record.finishedAt.getTime() - record.startedAt.getTime());
  return html`<tr role="row">
<th scope="row" role="rowheader" class="num"><span class="phone-only">Attempt </span>${record.attempt}</th>
<td role="cell" data-label="Started">${timeElement(record.startedAt)}</td>
<td role="cell" data-label="Finished">${record.finishedAt === undefined ? html`<span class="muted">–</span>` : timeElement(record.finishedAt)}</td>
<td role="cell" data-label="Duration" class="num">${took}</td>
<td role="cell" data-label="Outcome"><span class="outcome outcome-${record.outcome}">${OUTCOME_LABELS[record.outcome]}</span></td>
<td role="cell" data-label="Error" class="error-text">${record.error === undefined ? '' : maskText(record.error)}</td>
</tr>`;
}

/**
 * An entry's attempts and replays, oldest first. On a phone each row is a
 * block of labelled lines (styles.ts); the explicit ARIA roles keep it a
 * table for screen readers once CSS no longer displays it as one.
 */
export function attemptsTable(key: string, history: readonly InboxHistoryRecord[]): SafeHtml {
  if (history.length === 0) return html`<p class="muted">No attempt recorded yet.</p>`;
  return html`<div class="table-wrap" tabindex="0" role="region" aria-labelledby="attempts-caption"><table class="attempts" role="table">
<caption id="attempts-caption">Attempts of ${key}, oldest first${history.length >= HISTORY_LIMIT ? ` (the last ${HISTORY_LIMIT} are kept)` : ''}</caption>
<thead role="rowgroup"><tr role="row"><th scope="col" role="columnheader" class="num">Attempt</th><th scope="col" role="columnheader">Started</th><th scope="col" role="columnheader">Finished</th><th scope="col" role="columnheader" class="num">Duration</th><th scope="col" role="columnheader">Outcome</th><th scope="col" role="columnheader">Error</th></tr></thead>
<tbody role="rowgroup">${history.map(row)}</tbody>
</table></div>`;
}
