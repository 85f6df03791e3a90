import type { InboxEntry, InboxState } from '../inbox/inbox';
import type { ActionForm } from './csrf';
import type { FormFields } from './form-body';
import type { DashboardInbox, DashboardLogger } from './options';
import { noticeQuery, type Notice } from './notices';
import { confirmPage } from './pages/confirm';
import { entryHref, href, isRetrying } from './pages/format';
import type { View } from './pages/layout';
import { purgeAge } from './pages/purge-ages';

/** What an action answers: a page (the confirmation step, or a 400), or where to go once done. */
export type ActionResult = { status: 200 | 400; page: string } | { redirect: string };

export interface ActionContext {
  view: View;
  fields: FormFields;
  inbox: DashboardInbox;
  logger: DashboardLogger;
}

/** At most this many entries per action: a page of checkboxes, with room. */
const MAX_KEYS = 500;
const MAX_KEY_LENGTH = 1000;

export class ActionInputError extends Error {}

function keysOf(fields: FormFields, what: string): string[] {
  const keys = [...new Set(fields.getAll('key'))];
  if (keys.length === 0) throw new ActionInputError(`Choose at least one ${what}.`);
  if (keys.length > MAX_KEYS) throw new ActionInputError(`At most ${MAX_KEYS} entries at once.`);
  if (keys.some((key) => key === '' || key.length > MAX_KEY_LENGTH)) throw new ActionInputError('An entry key is empty or too long.');
  return keys;
}

/** The keys still in the state the action is for; the rest are reported as left alone. */
async function stillIn(inbox: DashboardInbox, keys: string[], wanted: (entry: InboxEntry) => boolean): Promise<string[]> {
  const entries = await Promise.all(keys.map((key) => inbox.get(key)));
  return keys.filter((_, i) => entries[i] !== undefined && wanted(entries[i]!));
}

function confirmed(fields: FormFields): boolean {
  return fields.get('confirm') === 'yes';
}

function audit(context: ActionContext, what: string, details: Record<string, unknown>): void {
  context.logger.info(`express-payment-webhooks dashboard: ${context.view.principal} ${what}`, { principal: context.view.principal, ...details });
}

const isDead = (entry: InboxEntry) => entry.state === 'dead';

async function replay(context: ActionContext): Promise<ActionResult> {
  const { fields, view, inbox } = context;
  const everyDead = fields.get('all') === 'dead';
  const keys = everyDead ? [] : keysOf(fields, 'dead letter to replay');
  const back = keys.length === 1 ? entryHref(view.base, keys[0]) : href(view.base, '/entries', { state: 'dead' });
  if (!confirmed(fields)) {
    return {
      status: 200,
      page: confirmPage(view, {
        form: 'replay',
        title: 'Replay dead letters?',
        question: everyDead
          ? 'Every dead letter becomes due now, its attempts counted from 0 again; the app delivers them at its next poll.'
          : `${keys.length === 1 ? 'This dead letter becomes' : `These ${keys.length} dead letters become`} due now, attempts counted from 0 again; the app delivers at its next poll.`,
        keys,
        fields: everyDead ? { all: 'dead' } : {},
        button: everyDead ? 'Replay every dead letter' : 'Replay',
        cancel: back,
      }),
    };
  }
  const dead = everyDead ? 'dead' : await stillIn(inbox, keys, isDead);
  const replayed = dead.length === 0 ? [] : await inbox.replay(dead);
  audit(context, `replayed ${replayed.length} dead ${replayed.length === 1 ? 'letter' : 'letters'}`, { action: 'replay', keys: replayed });
  return redirectWith(back, { done: 'replayed', count: replayed.length, skipped: everyDead ? 0 : keys.length - replayed.length });
}

async function retry(context: ActionContext): Promise<ActionResult> {
  const { fields, view, inbox } = context;
  const keys = keysOf(fields, 'retrying entry');
  const back = keys.length === 1 ? entryHref(view.base, keys[0]) : href(view.base, '/entries', { state: 'retrying' });
  if (!confirmed(fields)) {
    return {
      status: 200,
      page: confirmPage(view, {
        form: 'retry',
        title: 'Retry now?',
        question: `${keys.length === 1 ? 'This entry becomes' : `These ${keys.length} entries become`} due now instead of at the scheduled time; attempts are counted from 0 again.`,
        keys,
        fields: {},
        button: 'Retry now',
        cancel: back,
      }),
    };
  }
  const retrying = await stillIn(inbox, keys, isRetrying);
  const retried = retrying.length === 0 ? [] : await inbox.replay(retrying);
  audit(context, `made ${retried.length} retrying ${retried.length === 1 ? 'entry' : 'entries'} due now`, { action: 'retry', keys: retried });
  return redirectWith(back, { done: 'retried', count: retried.length, skipped: keys.length - retried.length });
}

async function purge(context: ActionContext): Promise<ActionResult> {
  const { fields, view, inbox } = context;
  const state = fields.get('state');
  const age = purgeAge(fields.get('olderThan'));
  if ((state !== 'done' && state !== 'dead') || age === undefined) throw new ActionInputError('Choose done or dead entries and one of the ages offered.');
  const finishedBefore = new Date(view.now - age.ms);
  if (!confirmed(fields)) {
    return {
      status: 200,
      page: confirmPage(view, {
        form: 'purge',
        title: `Purge ${state} entries?`,
        question: `Every ${state === 'dead' ? 'dead letter' : 'done entry'} finished more than ${age.label} ago (before ${finishedBefore.toISOString()}) is deleted. This cannot be undone.`,
        keys: [],
        fields: { state, olderThan: age.value },
        button: 'Delete them',
        danger: true,
        cancel: `${view.base}/`,
      }),
    };
  }
  const purged = await inbox.purge({ state: state as Exclude<InboxState, 'pending'>, finishedBefore });
  audit(context, `purged ${purged} ${state} ${purged === 1 ? 'entry' : 'entries'} finished before ${finishedBefore.toISOString()}`, { action: 'purge', state, finishedBefore: finishedBefore.toISOString(), count: purged });
  return redirectWith(`${view.base}/`, { done: 'purged', count: purged, state });
}

function redirectWith(target: string, notice: Notice): ActionResult {
  const query = new URLSearchParams(noticeQuery(notice)).toString();
  return { redirect: `${target}${target.includes('?') ? '&' : '?'}${query}` };
}

export const ACTIONS: Record<ActionForm, (context: ActionContext) => Promise<ActionResult>> = { replay, retry, purge };
