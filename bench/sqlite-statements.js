#!/usr/bin/env node
'use strict';
// What the SQLite inbox's statements alone cost per notification, with no
// thread, no messages and no HTTP: the put-and-lease of each notification
// (with its attempt's history row) and its done marker (closing that row),
// committed in groups as the inbox's thread commits them (one transaction,
// synchronous=FULL, so one fsync per group), on the inbox's own schema.
// It reads the process's CPU time (user + system), so run it pinned to one
// CPU as the HTTP benchmark pins its servers:
//   taskset -c 1 node bench/sqlite-statements.js [--groups 1,4,10,20] [--notifications 20000]
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { SqliteInboxDatabase } = require('../dist/inbox/sqlite-database');
const { serializeEvent } = require('../dist/inbox/serialize');
const { buildPay247Notification } = require('../dist/testing');
const { parseJsonObject } = require('../dist/body/json');

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1];
}

const groups = option('groups', '1,4,10,20').split(',').map(Number);
const notifications = Number(option('notifications', '20000'));
if (!groups.every((size) => Number.isInteger(size) && size >= 1) || !Number.isInteger(notifications) || notifications < 1) {
  console.error('usage: node bench/sqlite-statements.js [--groups 1,4,10,20] [--notifications 20000]');
  process.exit(1);
}

// The benchmark's own notification (the documented Pay247 sample), stored as the inbox stores it.
const data = parseJsonObject(buildPay247Notification({ secret: 'bench-pay247-key', format: 'json' }).body);
const eventFor = (id) => serializeEvent({ provider: 'pay247', id, type: 'payout.succeeded', data, signedFields: Object.keys(data), receivedAt: new Date() });

function measure(groupSize) {
  const dir = mkdtempSync(path.join(tmpdir(), 'epw-sqlite-statements-'));
  const db = new SqliteInboxDatabase(path.join(dir, 'inbox.db'));
  const events = Array.from({ length: notifications }, (_, i) => eventFor(`MP${i}`));
  let previous = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  // Each group holds the puts of the notifications that arrived together and the done markers of the group before.
  while (next < notifications) {
    const now = Date.now();
    const current = [];
    db.inTransaction(() => {
      for (let i = 0; i < groupSize && next < notifications; i++, next++) {
        const entry = { key: `pay247:MP${next}`, lease: `lease-${next}` };
        db.putLeased(entry.key, 'pay247', events[next], now, entry.lease, now + 30_000);
        current.push(entry);
      }
      for (const entry of previous) db.complete(entry, now);
    });
    previous = current;
  }
  db.inTransaction(() => previous.forEach((entry) => db.complete(entry, Date.now())));
  const used = process.cpuUsage(cpu);
  const wallMicros = Number(process.hrtime.bigint() - started) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { groupSize, cpu: (used.user + used.system) / notifications, user: used.user / notifications, system: used.system / notifications, wall: wallMicros / notifications };
}

console.log(`SQLite inbox statements per notification (${notifications} notifications, put-and-lease then done, each with its history row; WAL, synchronous=FULL)`);
console.log('| notifications per commit | CPU µs (user + system) | wall µs |');
console.log('|---:|---:|---:|');
for (const size of groups) {
  const { groupSize, cpu, user, system, wall } = measure(size);
  console.log(`| ${groupSize} | ${cpu.toFixed(0)} (${user.toFixed(0)} + ${system.toFixed(0)}) | ${wall.toFixed(0)} |`);
}
