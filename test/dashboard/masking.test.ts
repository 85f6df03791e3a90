/**
 * An entry page shows the event as the handler receives it, minus what must
 * not be on a screen: card numbers (but their last four), CVV, PIN, expiry,
 * SGATE's identity fields and every signature, wherever they sit, including
 * the card-issuing envelope's `event_data`, which is the card again as JSON
 * text. And hostile text in any field is shown as text, never as markup.
 */
import { maskForDisplay, MASKED } from '../../lib/dashboard/mask';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { sqliteBackend } from '../inbox/backends';
import { get, headerAuthorize, postForm, serveDashboard, tokenOf, type Dashboard } from './harness';
import { event, keyOf, seedInbox } from './seed';

const CARD = {
  card_id: 'C100', order_id: 'O1', holder_id: 'H1', card_no: '4111111111111111', balance: 12.5, limit: 100,
  expiry: '12/29', cvv: '987', pin: '4321', status: 1, mark: 'spare card 5500 0000 0000 0004 for travel',
};
const cardEvent = {
  ...event('card-issuing', 'N1', 'card.status.active', CARD),
  envelope: { notify_id: 'N1', customer_id: 7, event: 'card.status.active', event_data: JSON.stringify(CARD) },
};
const sgateEvent = {
  ...event('sgate', 'CUSTOM_STATUS_CHANGE:CU1:17', 'CUSTOM_STATUS_CHANGE', {
    customid: 'CU1', name_e: 'Ada', identity: '1234567890', identitypic: 'https://files.example/id.png', cardno: '6222020200112233445',
    stcaccount: '966500000000', ibanaccount: 'SA03 8000 0000 6080 1016 7519', custominfo: { identity: '1234567890', cardno: '6222020200112233445' },
  }),
  envelope: { event: 'CUSTOM_STATUS_CHANGE', data: { customid: 'CU1', identity: 'ZW5jcnlwdGVk', cardno: 'ZW5jcnlwdGVkY2FyZA==' }, time: 1 },
};
const pay247Event = event('pay247', 'MP9', 'payout.succeeded', { amount: '10.0000', sign: 'a3f1c0ffee0123456789abcdef012345', remarks: 'ok' });

const SECRETS = ['4111111111111111', '411111', '987', '4321', '12/29', '5500 0000 0000 0004', '1234567890', 'id.png', '6222020200112233445', '966500000000', 'ZW5jcnlwdGVk', 'a3f1c0ffee'];

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

describe('maskForDisplay', () => {
  test('card data under its names, at any depth, and inside JSON text', () => {
    const masked = maskForDisplay(cardEvent) as any;
    expect(masked.data).toMatchObject({ card_no: '•••• 1111', cvv: MASKED, pin: MASKED, expiry: MASKED, card_id: 'C100', balance: 12.5 });
    expect(masked.data.mark).toBe('spare card •••• 0004 for travel');
    expect(JSON.parse(masked.envelope.event_data)).toMatchObject({ card_no: '•••• 1111', cvv: MASKED, pin: MASKED });
    expect(masked.receivedAt).toBe('2026-11-30T10:00:00.000Z');
    for (const secret of SECRETS.slice(0, 6)) expect(JSON.stringify(masked)).not.toContain(secret);
  });

  test("SGATE's sensitive fields, in data, in custominfo and in the envelope; signatures", () => {
    const text = JSON.stringify([maskForDisplay(sgateEvent), maskForDisplay(pay247Event)]);
    for (const secret of SECRETS.slice(6)) expect(text).not.toContain(secret);
    expect(text).toContain('"name_e":"Ada"');
    expect(text).toContain('"ibanaccount":"SA03 8000 0000 6080 1016 7519"');
    expect(text).toContain('"remarks":"ok"');
  });

  test('names in other spellings (CVV2, cardNumber, card-no, PIN) and card numbers as JSON numbers', () => {
    expect(maskForDisplay({ CVV2: '111', cardNumber: '5555555555554444', 'card-no': 5555555555554444, PIN: 1234, pan: '' })).toEqual({
      CVV2: MASKED, cardNumber: '•••• 4444', 'card-no': '•••• 4444', PIN: MASKED, pan: MASKED,
    });
    expect(maskForDisplay({ remark: 5555555555554444, id: 1234567890123 })).toEqual({ remark: '•••• 4444', id: 1234567890123 });
  });

  test('digit runs that are no card number stay: Luhn fails, millisecond times (13 digits), runs not starting like a card', () => {
    const plain = { order: '4111111111111112', at: 1764583200001, atText: '1764583200001', ref: '9111111111111110', amount: '100.0000' };
    // Both times and the ref would pass Luhn: they stay because of their length or first digit.
    for (const digits of [plain.atText, plain.ref]) expect(luhn(digits)).toBe(true);
    expect(maskForDisplay(plain)).toEqual(plain);
  });

  test('a prototype-polluting key is a plain field of the copy; absurd depth is cut, not a stack overflow', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}');
    const masked = maskForDisplay(hostile) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(masked)).toEqual(['__proto__', 'constructor']);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    expect(JSON.stringify(maskForDisplay(deep))).toContain(MASKED);
  });
});

describe.each(EXPRESS_VERSIONS)('entry pages on $name', (express) => {
  const backend = sqliteBackend();
  const hostile = {
    ...event('pay247', '<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', { note: '</pre><script>alert(3)</script>', "<b onmouseover='alert(4)'>": '`${x}`' }),
  };
  let dashboard: Dashboard;

  beforeAll(async () => {
    const { inbox } = await seedInbox(backend.fresh(), {
      dead: [hostile, cardEvent, sgateEvent, pay247Event],
      // A handler's error quoting what it was given: a card number, markup.
      failWith: (key) => (key === keyOf(cardEvent) ? 'card 4111 1111 1111 1111 declined <script>alert(5)</script>' : 'the handler failed'),
    });
    dashboard = await serveDashboard(express, { inbox, authorize: headerAuthorize });
  });
  afterAll(async () => {
    await dashboard.server.close();
    await backend.closeAll();
    backend.dispose();
  });

  const entryUrl = (key: string) => `${dashboard.url}/entry?key=${encodeURIComponent(key)}`;

  test('no card data, personal identity field or signature on any page', async () => {
    const pages = await Promise.all([
      get(`${dashboard.url}/`),
      get(`${dashboard.url}/entries?state=dead`),
      ...[cardEvent, sgateEvent, pay247Event].map((e) => get(entryUrl(keyOf(e)))),
    ]);
    for (const page of pages) {
      expect(page.status).toBe(200);
      // Times are shown to the millisecond: a short secret such as the CVV could be one by chance.
      const shown = page.body.replace(/<time[^>]*>[^<]*<\/time>/g, '<time>');
      for (const secret of SECRETS) expect(shown).not.toContain(secret);
      // A card number in a handler's error, spaced as people write it, is masked on every page too.
      expect(shown).not.toContain('4111 1111 1111 1111');
    }
    expect(pages[2].body).toContain('&quot;card_no&quot;: &quot;•••• 1111&quot;');
  });

  test("a handler's error is shown as text, with the card number it quotes masked, in the attempts table and wherever the last error is", async () => {
    const [entry, list] = [await get(entryUrl(keyOf(cardEvent))), await get(`${dashboard.url}/entries?state=dead`)];
    const shown = 'card •••• 1111 declined &lt;script&gt;alert(5)&lt;/script&gt;';
    expect(entry.body).toContain(`<td role="cell" data-label="Error" class="error-text">HANDLER_FAILED: onEvent threw or rejected: ${shown}</td>`);
    expect(entry.body).toContain(`<dt>Last error</dt><dd>HANDLER_FAILED: onEvent threw or rejected: ${shown}</dd>`);
    expect(list.body).toContain(shown);
    for (const page of [entry, list]) {
      expect(page.body).not.toMatch(/4111 1111 1111 1111|<script/);
    }
  });

  test('hostile event text is escaped on the overview, the list, the entry page and the confirmation', async () => {
    const key = keyOf(hostile);
    const entry = await get(entryUrl(key));
    const confirm = await postForm(`${dashboard.url}/replay`, [['token', tokenOf(entry.body, '/replay')], ['key', key]]);
    const pages = [await get(`${dashboard.url}/`), await get(`${dashboard.url}/entries?state=dead`), entry, confirm];
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.body).not.toMatch(/<script|<img|<b\s|onmouseover='/i);
      expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    expect(entry.body).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(entry.body).toContain('&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt;');
    expect(entry.body).toContain('&#96;${x}&#96;');
    // The key travels percent-encoded in links and escaped in form fields.
    expect(entry.body).toContain(`value="pay247:&lt;script&gt;alert(1)&lt;/script&gt;"`);
    expect(pages[1].body).toContain(`href="/admin/webhooks/entry?key=pay247%3A%3Cscript%3Ealert%281%29%3C%2Fscript%3E"`);
  });
});
