#!/usr/bin/env node
'use strict';
// Bytes the JavaScript heap allocates per Pay247 notification, in-process, 10 at a time:
// the package's pipeline (createWebhookHandler over prepared request facts) next to the
// checks alone, written out by hand with as few steps as possible (parse, verify, claim,
// handler, done marker). Counted, not timed: run with a young generation large enough that
// no garbage collection happens during a measurement, the heap's growth is what was allocated.
//   node bench/allocation.js            (needs `npm run build`; restarts itself with the V8 flags)
const { spawnSync } = require('node:child_process');

const FLAGS = ['--expose-gc', '--max-semi-space-size=1024', '--min-semi-space-size=1024'];
if (typeof global.gc !== 'function') {
  const child = spawnSync(process.execPath, [...FLAGS, __filename], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const { createWebhookHandler, MemoryDedupStore } = require('../dist');
const { pay247Spec } = require('../dist/providers/pay247');
const { pay247ChecksByHand } = require('./harness/pay247-checks');
const { buildPay247Notification } = require('../dist/testing');

const SECRET = 'bench-pay247-key';
const N = 20_000;
const requests = [];
for (let i = 0; i < N; i++) {
  const { body, headers } = buildPay247Notification({ secret: SECRET, format: 'json', fields: { order_no: `MP${i}`, out_order_no: `O${i}` } });
  const raw = Buffer.from(body);
  requests.push({ req: undefined, method: 'POST', headers: { ...headers, 'content-length': String(raw.length) }, url: '/notify/pay247', ip: '127.0.0.1', body: () => Promise.resolve({ raw }) });
}

const spec = pay247Spec();

/** The same checks by hand (bench/harness/pay247-checks.js): what any route that verifies and deduplicates must do, and no more. */
function checksAlone() {
  const check = pay247ChecksByHand(SECRET);
  const onEvent = async () => undefined;
  return (facts) => facts.body().then(({ raw }) => check(raw, { headers: facts.headers, url: facts.url }, onEvent)).then(() => ({ status: 200 }));
}

const pipeline = () => createWebhookHandler(spec, { secret: SECRET, store: new MemoryDedupStore(), logger: false, onEvent: async () => undefined });

async function bytesPerNotification(handle) {
  let next = 0;
  global.gc();
  const before = process.memoryUsage().heapUsed;
  async function lane() {
    while (next < N) {
      const answer = await handle(requests[next++]);
      if (answer.status !== 200) throw new Error(`answered ${answer.status}`);
    }
  }
  await Promise.all(Array.from({ length: 10 }, lane));
  return (process.memoryUsage().heapUsed - before) / N;
}

(async () => {
  const rows = { 'the pipeline (createWebhookHandler)': [], 'the checks alone, by hand': [] };
  for (let round = 0; round < 3; round++) {
    rows['the pipeline (createWebhookHandler)'].push(await bytesPerNotification(pipeline()));
    rows['the checks alone, by hand'].push(await bytesPerNotification(checksAlone()));
  }
  console.log(`Bytes allocated per Pay247 notification (${N} per round, 10 at a time, 3 rounds; fresh store each round):`);
  for (const [name, values] of Object.entries(rows)) console.log(`  ${name}: ${values.map((v) => v.toFixed(0)).join(', ')}`);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
