import { html, type HtmlValue, type SafeHtml } from '../html';
import type { ActionForm } from '../csrf';
import { href } from './format';

/** What every page needs to know about the request it answers. */
export interface View {
  /** The mount path (`req.baseUrl`), '' at the root. */
  base: string;
  principal: string;
  now: number;
  /** A token for one of the action forms, bound to this principal. */
  token(form: ActionForm): string;
}

export const LIST_STATES = ['dead', 'retrying', 'pending', 'done'] as const;
export type ListState = (typeof LIST_STATES)[number];

export function page(view: View, title: string, body: HtmlValue, notice?: string): string {
  const nav = LIST_STATES.map((state) => html`<li><a href="${href(view.base, '/entries', { state })}">${state === 'dead' ? 'dead letters' : state}</a></li>`);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${title} · webhook inbox</title>
<link rel="stylesheet" href="${`${view.base}/assets/dashboard.css`}">
</head>
<body>
<header class="top">
<a class="brand" href="${`${view.base}/`}">Webhook inbox</a>
<nav aria-label="Entries by state"><ul><li><a href="${`${view.base}/`}">overview</a></li>${nav}</ul></nav>
<span class="who">Signed in as ${view.principal}</span>
</header>
<main id="main">
${notice === undefined ? '' : html`<p class="notice" role="status">${notice}</p>`}
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.text;
}

/** A hidden token field for an action form. */
export function tokenField(view: View, form: ActionForm): SafeHtml {
  return html`<input type="hidden" name="token" value="${view.token(form)}">`;
}

/** A refusal or an error as a page: the reason in words, never a stack or stored data. */
export function messagePage(view: View | undefined, title: string, message: string): string {
  if (view === undefined) {
    return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body><main><h1>${title}</h1><p>${message}</p></main></body></html>\n`.text;
  }
  return page(view, title, html`<p class="error" role="alert">${message}</p><p><a href="${`${view.base}/`}">Back to the overview</a></p>`);
}
