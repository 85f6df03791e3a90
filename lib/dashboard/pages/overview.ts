import type { InboxCount, InboxEntry } from '../../inbox/inbox';
import { html } from '../html';
import { maskText } from '../mask';
import { entryHref, href, relative, timeElement } from './format';
import { page, tokenField, type View } from './layout';
import { PURGE_AGES } from './purge-ages';

export interface OverviewData {
  counts: InboxCount[];
  oldestPending: InboxEntry | undefined;
  /** Dead letters finished in the last 24 hours, newest first. */
  recentDead: InboxEntry[];
  /** True when there were more dead letters than were looked through. */
  recentDeadTruncated: boolean;
}

const STATES = ['pending', 'dead', 'done'] as const;

export function overviewPage(view: View, data: OverviewData, notice?: string): string {
  const providers = [...new Set(data.counts.map((count) => count.provider))];
  const count = (provider: string | undefined, state: string) =>
    data.counts.filter((c) => (provider === undefined || c.provider === provider) && c.state === state).reduce((sum, c) => sum + c.count, 0);
  const cell = (provider: string | undefined, state: (typeof STATES)[number]) =>
    html`<td class="num"><a href="${href(view.base, '/entries', { state, provider })}">${count(provider, state)}</a></td>`;

  const oldest = data.oldestPending;
  const recent = data.recentDead;
  return page(
    view,
    'Overview',
    html`
<ul class="cards">
<li><span class="figure">${count(undefined, 'pending')}</span> pending</li>
<li><span class="figure">${recent.length}${data.recentDeadTruncated ? '+' : ''}</span> dead letters in the last 24 h</li>
<li>${
      oldest === undefined
        ? html`<span class="figure">–</span> no pending entry`
        : html`<span class="figure">${relative(oldest.storedAt, view.now).replace(/ ago$/, '')}</span> oldest pending: <a href="${entryHref(view.base, oldest.key)}">${oldest.key}</a>`
    }</li>
</ul>
<h2 id="counts">Entries per provider</h2>
${
  providers.length === 0
    ? html`<p>The inbox is empty.</p>`
    : html`<div class="table-wrap" tabindex="0" role="region" aria-labelledby="counts"><table>
<thead><tr><th scope="col">Provider</th>${STATES.map((state) => html`<th scope="col" class="num">${state}</th>`)}</tr></thead>
<tbody>${providers.map((provider) => html`<tr><th scope="row">${provider}</th>${STATES.map((state) => cell(provider, state))}</tr>`)}</tbody>
<tfoot><tr><th scope="row">all</th>${STATES.map((state) => cell(undefined, state))}</tr></tfoot>
</table></div>`
}
<h2 id="recent-dead">Dead letters in the last 24 hours</h2>
${
  recent.length === 0
    ? html`<p>None.</p>`
    : html`<div class="table-wrap" tabindex="0" role="region" aria-labelledby="recent-dead"><table>
<thead><tr><th scope="col">Entry</th><th scope="col">Died</th><th scope="col" class="num">Attempts</th><th scope="col">Last error</th></tr></thead>
<tbody>${recent.slice(0, 20).map(
        (entry) => html`<tr><td class="key"><a href="${entryHref(view.base, entry.key)}">${entry.key}</a></td><td>${timeElement(entry.finishedAt)}</td><td class="num">${entry.attempts}</td><td>${entry.lastError === undefined ? '' : maskText(entry.lastError)}</td></tr>`,
      )}</tbody>
</table></div>
${recent.length > 20 ? html`<p><a href="${href(view.base, '/entries', { state: 'dead' })}">All dead letters</a></p>` : ''}`
}
<h2 id="purge">Purge old entries</h2>
<form method="post" action="${`${view.base}/purge`}" class="filters" aria-labelledby="purge">
${tokenField(view, 'purge')}
<div><label for="purge-state">Entries</label><select id="purge-state" name="state"><option value="done">done</option><option value="dead">dead letters</option></select></div>
<div><label for="purge-age">Finished more than</label><select id="purge-age" name="olderThan">${PURGE_AGES.map(
  (age) => html`<option value="${age.value}"${age.value === '7d' ? html` selected` : ''}>${age.label} ago</option>`,
)}</select></div>
<div><button type="submit" class="secondary">Purge…</button></div>
</form>`,
    notice,
  );
}
