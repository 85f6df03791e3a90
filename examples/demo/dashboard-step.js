'use strict';
// The demo's last step: the example app with a durable inbox (SQLite, in a
// temporary directory) and the inbox dashboard at /admin/webhooks, as
// `npm run example` starts it. A Pay247 notification is acked at once, its
// handler fails twice and the inbox's own retries deliver it; the dashboard's
// entry page lists the three attempts.
const { randomBytes } = require('node:crypto');
const { once } = require('node:events');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { SqliteInbox } = require('express-payment-webhooks');
const { buildProviderNotification, describeNotification } = require('express-payment-webhooks/testing');
const { createApp } = require('../merchant-server/app');
const { devBasicAuth } = require('../merchant-server/dev-basic-auth');

async function dashboardStep({ say, expectThat, secrets }) {
  const dir = mkdtempSync(join(tmpdir(), 'epw-demo-inbox-'));
  let failuresLeft = 2;
  let delivered;
  const done = new Promise((resolve) => (delivered = resolve));
  const inbox = new SqliteInbox({
    path: join(dir, 'inbox.db'),
    // Retries 50 ms apart, for the demo; the default backoff starts at 1 s.
    retry: { baseDelayMs: 50, maxDelayMs: 50 },
    pollIntervalMs: 20,
    logger: false,
    onInboxEvent: (report) => report.type === 'delivered' && delivered(report),
  });
  const password = randomBytes(12).toString('base64url');
  const log = [];
  const { app } = createApp({
    secrets,
    inbox,
    dashboard: { authorize: devBasicAuth('ops', password) },
    log: (line) => log.push(line),
    logger: { info: () => undefined, warn: () => undefined, error: (line) => log.push(line) },
    failNext: (provider) => provider === 'pay247' && failuresLeft-- > 0,
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    const sent = buildProviderNotification('pay247', { url: `${base}/notify/pay247`, secret: secrets.pay247, data: { out_order_no: 'ORDER-3001' } });
    say(`   Pay247 sends: ${describeNotification('pay247', sent.notification.fields)}`);
    const answer = await fetch(sent.url, { method: 'POST', headers: sent.notification.headers, body: sent.notification.body });
    say(`     merchant answered ${answer.status} "${await answer.text()}": stored in the inbox, Pay247 stops`);
    expectThat(answer.status === 200, 'inbox: the notification was acked at once');
    await done;
    for (const line of log) say(`     merchant log: ${line}`);
    const [{ key }] = await inbox.list({ state: 'done' });
    const page = await fetch(`${base}/admin/webhooks/entry?key=${encodeURIComponent(key)}`, { headers: { authorization: `Basic ${Buffer.from(`ops:${password}`).toString('base64')}` } });
    const html = await page.text();
    say(`   The dashboard's page of it, GET /admin/webhooks/entry?key=${key} (user ops, a development password): ${page.status}`);
    const history = await inbox.history(key);
    for (const record of history) {
      if (record.type === 'attempt') say(`     attempt ${record.attempt}: ${record.outcome}${record.error ? `: ${record.error}` : ''}`);
    }
    expectThat(page.status === 200 && html.includes('<caption id="attempts-caption">'), 'dashboard: the entry page shows its attempts table');
    expectThat(history.map((record) => record.type === 'attempt' && record.outcome).join() === 'failed,failed,delivered', 'dashboard: two failed attempts, then the delivery');
    say('   `npm run example` keeps this running: the dashboard at http://127.0.0.1:3000/admin/webhooks, with the password it prints.');
  } finally {
    server.closeAllConnections();
    server.close();
    await inbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { dashboardStep };
