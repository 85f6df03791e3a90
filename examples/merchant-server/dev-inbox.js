'use strict';
// Where the example keeps its inbox: INBOX_DB when set; in development
// otherwise a file in a new temporary directory, removed when the app stops,
// so `npm run example` has a durable inbox (and its dashboard) out of the box.
// In production an unset INBOX_DB means no inbox: notifications are handled
// while the provider waits, as without one.
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

function inboxFile(say, env = process.env) {
  if (env.INBOX_DB) return { path: env.INBOX_DB, remove: () => undefined };
  if (env.NODE_ENV === 'production') return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'epw-example-inbox-'));
  const path = join(dir, 'webhooks-inbox.db');
  say(`INBOX_DB is not set: using a DEVELOPMENT inbox in ${path}, deleted when the app stops.`);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

module.exports = { inboxFile };
