import type { InboxEntry } from '../inbox/inbox';
import { isRetrying } from './pages/format';
import { LIST_STATES, type ListState } from './pages/layout';

/** What the list page shows: one state, narrowed by the filter form, one page of it. */
export interface ListFilters {
  state: ListState;
  provider: string | undefined;
  type: string | undefined;
  /** Start of the event id. */
  idPrefix: string | undefined;
  /** Stored at or after / before (UTC). */
  from: Date | undefined;
  to: Date | undefined;
  page: number;
}

export const PAGE_SIZE = 50;
const MAX_TEXT = 200;
const MAX_PAGE = 100_000;

/** `YYYY-MM-DDTHH:MM[:SS]`, as a datetime-local field sends it; read as UTC. */
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

function text(query: URLSearchParams, name: string, label: string, errors: string[]): string | undefined {
  const value = query.get(name);
  if (value === null || value.trim() === '') return undefined;
  if (value.length > MAX_TEXT) errors.push(`${label} is longer than ${MAX_TEXT} characters.`);
  return value.trim();
}

function time(query: URLSearchParams, name: string, label: string, errors: string[]): Date | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  const match = LOCAL_TIME.exec(value);
  const date = match === null ? undefined : new Date(`${value.length === 16 ? `${value}:00` : value}Z`);
  if (date === undefined || Number.isNaN(date.getTime()) || date.toISOString().slice(0, value.length) !== value) {
    errors.push(`${label} must be a date and time like 2026-01-31T14:05 (UTC).`);
    return undefined;
  }
  return date;
}

/** The list page's query, checked: a list of what is wrong, for a 400, or the filters. */
export function parseListFilters(query: URLSearchParams): ListFilters | { errors: string[] } {
  const errors: string[] = [];
  const state = query.get('state') ?? 'dead';
  if (!(LIST_STATES as readonly string[]).includes(state)) errors.push(`state must be one of ${LIST_STATES.join(', ')}.`);
  const pageText = query.get('page') ?? '1';
  const page = /^\d{1,6}$/.test(pageText) ? Number(pageText) : NaN;
  if (!(page >= 1 && page <= MAX_PAGE)) errors.push(`page must be a whole number from 1 to ${MAX_PAGE}.`);
  const filters: ListFilters = {
    state: state as ListState,
    provider: text(query, 'provider', 'provider', errors),
    type: text(query, 'type', 'type', errors),
    idPrefix: text(query, 'id', 'id prefix', errors),
    from: time(query, 'from', 'from', errors),
    to: time(query, 'to', 'to', errors),
    page,
  };
  if (filters.from !== undefined && filters.to !== undefined && filters.from > filters.to) errors.push('from must not be after to.');
  return errors.length > 0 ? { errors } : filters;
}

/** The filters `list` cannot apply itself. */
export function matches(entry: InboxEntry, filters: ListFilters): boolean {
  if (filters.state === 'retrying' && !isRetrying(entry)) return false;
  if (filters.type !== undefined && entry.event.type !== filters.type) return false;
  if (filters.idPrefix !== undefined && !String(entry.event.id).startsWith(filters.idPrefix)) return false;
  if (filters.from !== undefined && entry.storedAt < filters.from) return false;
  if (filters.to !== undefined && entry.storedAt >= filters.to) return false;
  return true;
}

/** The query that shows these filters again (for paging links), page aside. */
export function filterQuery(filters: ListFilters): Record<string, string | undefined> {
  const local = (date: Date | undefined) => date?.toISOString().slice(0, 19);
  return { state: filters.state, provider: filters.provider, type: filters.type, id: filters.idPrefix, from: local(filters.from), to: local(filters.to) };
}
