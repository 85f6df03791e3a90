#!/usr/bin/env node
'use strict';
// Micro-benchmarks of the hot pieces, one entry each: `setup()` returns the
// operation to time (sync, or async with `async: true`) and, optionally, a
// `check()` run afterwards whose failure fails the target.
//   node bench/micro.js [--quick]      (also run at the end of `npm run bench`)
const { randomUUID } = require('node:crypto');
const { mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const querystring = require('node:querystring');
const { parseJsonObject } = require('../dist/body/json');
const { parseForm } = require('../dist/body/form');
const { MemoryDedupStore } = require('../dist/dedup/memory-store');
const { pay247Spec } = require('../dist/providers/pay247');
const { parseXmlResponse } = require('../dist/body/xml');
const { pingPongKybSpec } = require('../dist/providers/pingpong-kyb');
const { cryptoGatewaySpec } = require('../dist/providers/crypto-gateway');
const { sgateSpec } = require('../dist/providers/sgate');
const { generateKeyPairSync } = require('node:crypto');
const { buildCryptoGatewayNotification, buildPay247Notification, buildPingPongKybNotification, buildSgateNotification } = require('../dist/testing');
const { measureOperation } = require('./harness/measure-op');

const PAY247_SECRET = 'bench-pay247-key';
const pay247Json = buildPay247Notification({ secret: PAY247_SECRET, format: 'json' }).body;
const pay247Form = buildPay247Notification({ secret: PAY247_SECRET, format: 'form' }).body;
const REQUEST = { headers: {}, url: '/notify/pay247' };

const STORE_KEYS = 100_000;

/** A spec's authenticate with its credentials prepared once, as the middleware does with static credentials. */
function verifier(spec, credentials) {
  const prepared = spec.credentials(credentials);
  return { verify: (body, request) => spec.authenticate(body, request, prepared) };
}

const ENTRIES = [
  {
    name: 'Pay247 verify, JSON fields (sorted k=v, MD5, constant-time compare)',
    setup() {
      const { verify } = verifier(pay247Spec(), { secret: PAY247_SECRET });
      const body = { format: 'json', text: pay247Json, fields: parseJsonObject(pay247Json) };
      return () => verify(body, REQUEST);
    },
  },
  {
    name: 'Pay247 verify, form fields',
    setup() {
      const { verify } = verifier(pay247Spec(), { secret: PAY247_SECRET });
      const body = { format: 'form', text: pay247Form, fields: parseForm(pay247Form) };
      return () => verify(body, REQUEST);
    },
  },
  {
    name: 'PingPong KYB verify (5 fields, salt first, MD5)',
    setup() {
      const { verify } = verifier(pingPongKybSpec(), { secret: 'bench-salt' });
      const text = buildPingPongKybNotification({ secret: 'bench-salt' }).body;
      const body = { format: 'json', text, fields: parseJsonObject(text) };
      return () => verify(body, REQUEST);
    },
  },
  {
    name: 'crypto gateway verify, XML fields (sorted k=v&key=, MD5)',
    setup() {
      const { verify } = verifier(cryptoGatewaySpec(), { secret: 'bench-key' });
      const text = buildCryptoGatewayNotification({ secret: 'bench-key', format: 'xml', signIn: 'body' }).body;
      const body = { format: 'xml', text, fields: parseXmlResponse(text) };
      return () => verify(body, REQUEST);
    },
  },
  {
    name: 'SGATE verify (MD5 signing data, RSA-2048 MD5withRSA)',
    setup() {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const { verify } = verifier(sgateSpec(), { publicKey, apiKey: 'bench-api-key' });
      const n = buildSgateNotification({ privateKey, apiKey: 'bench-api-key', url: '/notify/sgate' });
      const body = { format: 'json', text: n.body, fields: parseJsonObject(n.body) };
      const request = { headers: Object.fromEntries(Object.entries(n.headers).map(([k, v]) => [k.toLowerCase(), v])), url: '/notify/sgate' };
      return () => verify(body, request);
    },
  },
  {
    name: 'JSON parse: parseJsonObject, Pay247 body (null prototypes, repeated-key check)',
    setup: () => () => parseJsonObject(pay247Json),
  },
  { name: 'JSON.parse alone, same body (reference)', setup: () => () => JSON.parse(pay247Json) },
  {
    name: 'form parse: parseForm, Pay247 body (flat, repeated-key check)',
    setup: () => () => parseForm(pay247Form),
  },
  { name: 'querystring.parse alone, same body (reference)', setup: () => () => querystring.parse(pay247Form) },
  {
    name: 'XML parse: parseXmlResponse, crypto gateway body (xml2js strict, hostile-XML checks)',
    setup() {
      const text = buildCryptoGatewayNotification({ secret: 'bench-key', format: 'xml', signIn: 'body' }).body;
      return () => parseXmlResponse(text);
    },
  },
  {
    name: `MemoryDedupStore claim + complete, new key, ≥ ${STORE_KEYS.toLocaleString('en-US')} keys held`,
    async: true,
    target: { maxNsPerOp: 2000, text: '≤ 2 µs, memory bounded' },
    setup() {
      // Twice the keys measured at, so that dropping a generation never leaves fewer than STORE_KEYS.
      const maxEntries = 2 * STORE_KEYS;
      const store = new MemoryDedupStore({ maxEntries });
      const token = randomUUID();
      let next = 0;
      const cycle = async () => {
        const key = `pay247:MP${next++}:2`;
        await store.claim(key, 15_000, token);
        await store.complete(key, 259_200_000, token);
      };
      return {
        prepare: async () => {
          while (store.size < STORE_KEYS * 1.5) await cycle();
        },
        op: cycle,
        check: () => ({
          ok: store.size <= maxEntries,
          note: `${store.size.toLocaleString('en-US')} keys held after ${next.toLocaleString('en-US')} claims, bound ${maxEntries.toLocaleString('en-US')}`,
        }),
      };
    },
  },
  {
    name: `MemoryDedupStore claim of a done key (a duplicate), ${STORE_KEYS.toLocaleString('en-US')} keys held`,
    async: true,
    target: { maxNsPerOp: 2000, text: '≤ 2 µs' },
    setup() {
      const store = new MemoryDedupStore({ maxEntries: 2 * STORE_KEYS });
      const token = randomUUID();
      const keys = Array.from({ length: STORE_KEYS }, (_, i) => `pay247:MP${i}:2`);
      let next = 0;
      let notDone = 0;
      return {
        prepare: async () => {
          for (const key of keys) {
            await store.claim(key, 15_000, token);
            await store.complete(key, 259_200_000, token);
          }
        },
        op: async () => {
          if ((await store.claim(keys[next++ % keys.length], 15_000, token)) !== 'done') notDone++;
        },
        check: () => ({ ok: notDone === 0, note: `${store.size.toLocaleString('en-US')} keys held, ${notDone} claims not answered "done"` }),
      };
    },
  },
];

async function runMicro({ quick }) {
  const settings = quick ? { batches: 3, batchMs: 5, quick } : { batches: 15, batchMs: 40, quick };
  const entries = [];
  for (const entry of ENTRIES) entries.push(await measureOperation(entry, settings));
  return { settings, node: process.version, entries };
}

if (require.main === module) {
  const quick = process.argv.includes('--quick');
  runMicro({ quick }).then(
    (report) => {
      if (process.argv.includes('--report-to-parent') && process.send) {
        process.send(report, () => process.exit(0));
        return;
      }
      const { microTable } = require('./harness/report');
      console.log(microTable(report));
      const dir = path.join(__dirname, 'results');
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `micro-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
      writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
      console.log(`\nResults: ${path.relative(process.cwd(), file)}`);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
