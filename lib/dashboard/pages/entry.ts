import type { InboxEntry, InboxHistoryRecord } from '../../inbox/inbox';
import { html } from '../html';
import { maskForDisplay, maskText } from '../mask';
import { attemptsTable } from './attempts-table';
import { isRetrying, relative, stateBadge, timeElement } from './format';
import { page, tokenField, type View } from './layout';

/** `history` is undefined for an inbox that keeps none (a custom DashboardInbox without `history`). */
export function entryPage(view: View, entry: InboxEntry, history: readonly InboxHistoryRecord[] | undefined, notice?: string): string {
  const event = entry.event;
  const due = entry.nextAttemptAt;
  const action =
    entry.state === 'dead'
      ? html`<form method="post" action="${`${view.base}/replay`}" class="actions">${tokenField(view, 'replay')}<input type="hidden" name="key" value="${entry.key}"><button type="submit">Replay…</button></form>`
      : isRetrying(entry)
        ? html`<form method="post" action="${`${view.base}/retry`}" class="actions">${tokenField(view, 'retry')}<input type="hidden" name="key" value="${entry.key}"><button type="submit">Retry now…</button></form>`
        : '';
  return page(
    view,
    entry.key,
    html`
<dl class="facts">
<dt>State</dt><dd>${stateBadge(entry)}</dd>
<dt>Provider</dt><dd>${entry.provider}</dd>
<dt>Event type</dt><dd>${event.type}</dd>
<dt>Event id</dt><dd>${event.id}</dd>
<dt>Received</dt><dd>${timeElement(event.receivedAt instanceof Date ? event.receivedAt : undefined)}</dd>
<dt>Stored</dt><dd>${timeElement(entry.storedAt)}</dd>
${entry.state === 'pending' ? html`<dt>Next attempt</dt><dd>${timeElement(due)}${due === undefined ? '' : html` <span class="muted">(${relative(due, view.now)})</span>`}</dd>` : ''}
${entry.finishedAt === undefined ? '' : html`<dt>${entry.state === 'dead' ? 'Given up' : 'Delivered'}</dt><dd>${timeElement(entry.finishedAt)}</dd>`}
</dl>
${action}
<h2>Attempts</h2>
<dl class="facts">
<dt>Attempts started</dt><dd>${entry.attempts}</dd>
<dt>Last error</dt><dd>${entry.lastError === undefined ? html`<span class="muted">none</span>` : maskText(entry.lastError)}</dd>
</dl>
${
  history === undefined
    ? html`<p class="muted">This inbox keeps the number of attempts and the last failure; a replay starts the count again.</p>`
    : html`${attemptsTable(entry.key, history)}<p class="muted">Times in UTC. A replay starts the count again; an attempt whose lease expired was cut short (its process stopped) and was taken over. Card numbers in errors are masked.</p>`
}
<h2>Event</h2>
<p class="muted">As the handler receives it. Card numbers, CVV, PIN, expiry, personal identity fields and signatures are masked.</p>
<pre class="event" tabindex="0">${JSON.stringify(maskForDisplay(event), null, 2)}</pre>`,
    notice,
  );
}
