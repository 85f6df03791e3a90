import type { InboxEntry } from '../../inbox/inbox';
import { filterQuery, PAGE_SIZE, type ListFilters } from '../filters';
import { html } from '../html';
import { maskText } from '../mask';
import { entryHref, href, stateBadge, timeElement } from './format';
import { page, tokenField, type View } from './layout';

export interface EntriesData {
  /** This page's entries. */
  entries: InboxEntry[];
  /** All matching entries among those looked through. */
  total: number;
  /** How many were looked through at most; set when the inbox held more. */
  searchedOnly: number | undefined;
  providers: string[];
}

const TITLES: Record<ListFilters['state'], string> = { dead: 'Dead letters', retrying: 'Retrying', pending: 'Pending', done: 'Done' };

export function entriesPage(view: View, filters: ListFilters, data: EntriesData, notice?: string): string {
  const local = filterQuery(filters);
  const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
  const dead = filters.state === 'dead';
  const rows = data.entries.map((entry, i) => {
    const next = entry.state === 'pending' ? entry.nextAttemptAt : entry.finishedAt;
    return html`<tr>
${dead ? html`<td><input type="checkbox" name="key" value="${entry.key}" id="select-${i}" aria-label="${`Select ${entry.key}`}"></td>` : ''}
<td class="key"><a href="${entryHref(view.base, entry.key)}">${entry.key}</a></td>
<td>${entry.event.type}</td>
<td>${stateBadge(entry)}</td>
<td class="num">${entry.attempts}</td>
<td>${timeElement(entry.storedAt)}</td>
<td>${timeElement(next)}</td>
<td>${entry.lastError === undefined ? '' : maskText(entry.lastError)}</td>
</tr>`;
  });
  const table = html`<div class="table-wrap" tabindex="0" role="region" aria-labelledby="results"><table>
<caption id="results">${data.total} ${data.total === 1 ? 'entry' : 'entries'}${data.searchedOnly === undefined ? '' : html` among the oldest ${data.searchedOnly} (narrow the filters to see others)`}, page ${filters.page} of ${pages}</caption>
<thead><tr>${dead ? html`<th scope="col"><span class="visually-hidden">Select</span></th>` : ''}<th scope="col">Entry</th><th scope="col">Type</th><th scope="col">State</th><th scope="col" class="num">Attempts</th><th scope="col">Stored</th><th scope="col">${filters.state === 'pending' || filters.state === 'retrying' ? 'Next attempt' : 'Finished'}</th><th scope="col">Last error</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
  const pager = html`<nav class="pager" aria-label="Pages">
${filters.page > 1 ? html`<a href="${href(view.base, '/entries', { ...local, page: filters.page - 1 })}" rel="prev">Previous page</a>` : ''}
${filters.page < pages ? html`<a href="${href(view.base, '/entries', { ...local, page: filters.page + 1 })}" rel="next">Next page</a>` : ''}
</nav>`;
  const body = html`
<form method="get" action="${`${view.base}/entries`}" class="filters" aria-label="Filters">
<input type="hidden" name="state" value="${filters.state}">
<div><label for="f-provider">Provider</label><select id="f-provider" name="provider"><option value="">any</option>${data.providers.map(
    (provider) => html`<option${provider === filters.provider ? html` selected` : ''}>${provider}</option>`,
  )}</select></div>
<div><label for="f-type">Event type</label><input type="text" id="f-type" name="type" value="${filters.type ?? ''}" maxlength="200"></div>
<div><label for="f-id">Event id starts with</label><input type="text" id="f-id" name="id" value="${filters.idPrefix ?? ''}" maxlength="200"></div>
<div><label for="f-from">Stored from (UTC)</label><input type="datetime-local" id="f-from" name="from" step="1" value="${local.from ?? ''}"></div>
<div><label for="f-to">Stored before (UTC)</label><input type="datetime-local" id="f-to" name="to" step="1" value="${local.to ?? ''}"></div>
<div><button type="submit">Filter</button> <a class="button secondary" href="${href(view.base, '/entries', { state: filters.state })}">Clear</a></div>
</form>
${
  data.entries.length === 0
    ? html`<p id="results">No ${TITLES[filters.state].toLowerCase()} entries match.</p>`
    : dead
      ? html`<form method="post" action="${`${view.base}/replay`}">${tokenField(view, 'replay')}
<div class="actions"><button type="submit">Replay selected…</button><button type="submit" name="all" value="dead" class="secondary">Replay every dead letter…</button></div>
${table}</form>`
      : table
}
${pager}`;
  return page(view, TITLES[filters.state], body, notice);
}
