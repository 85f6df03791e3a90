import { html, type SafeHtml } from '../html';
import type { ActionForm } from '../csrf';
import { page, tokenField, type View } from './layout';

export interface Confirmation {
  form: ActionForm;
  title: string;
  /** What will happen, in words. */
  question: string;
  /** Entries concerned, shown (the first 50) and sent again. */
  keys: string[];
  /** Other fields to send again (name → value). */
  fields: Record<string, string>;
  button: string;
  danger?: boolean;
  /** Where Cancel goes. */
  cancel: string;
}

const SHOWN_KEYS = 50;

/** Step one of every action: nothing changes until this page's form is sent. */
export function confirmPage(view: View, c: Confirmation): string {
  const hidden: SafeHtml[] = [
    ...c.keys.map((key) => html`<input type="hidden" name="key" value="${key}">`),
    ...Object.entries(c.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`),
  ];
  return page(
    view,
    c.title,
    html`
<p>${c.question}</p>
${
  c.keys.length === 0
    ? ''
    : html`<ul>${c.keys.slice(0, SHOWN_KEYS).map((key) => html`<li>${key}</li>`)}</ul>${
        c.keys.length > SHOWN_KEYS ? html`<p>and ${c.keys.length - SHOWN_KEYS} more.</p>` : ''
      }`
}
<form method="post" action="${`${view.base}/${c.form}`}" class="actions">
${tokenField(view, c.form)}
<input type="hidden" name="confirm" value="yes">
${hidden}
<button type="submit"${c.danger ? html` class="danger"` : ''}>${c.button}</button>
<a class="button secondary" href="${c.cancel}">Cancel</a>
</form>`,
  );
}
