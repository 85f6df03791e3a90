/**
 * The package as npm would publish it: packed, unpacked into a consumer
 * project, then used with require, with import, and from TypeScript.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const consumer = join(root, '.tmp', 'consumer');
const run = (cmd: string, args: string[], cwd = root) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let files: string[] = [];

/** The server adapters, one subpath each. */
const SUBPATHS = ['node', 'fetch', 'fastify', 'koa'];
const FACTORIES = ['Pay247', 'Sgate', 'CardIssuing', 'PingPongKyb', 'CryptoGateway'].map((stem) => `create${stem}WebhookHandler`);

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'index.js'))) run('npm', ['run', 'build']);
  rmSync(consumer, { recursive: true, force: true });
  const installed = join(consumer, 'node_modules', 'express-payment-webhooks');
  mkdirSync(installed, { recursive: true });
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', consumer]));
  files = packed.files.map((f: { path: string }) => f.path);
  run('tar', ['-xzf', join(consumer, packed.filename), '-C', installed, '--strip-components=1']);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
}, 60_000);

afterAll(() => rmSync(consumer, { recursive: true, force: true }));

test('the tarball holds the build, the types and the docs, not the sources or tests', () => {
  const adapters = SUBPATHS.flatMap((name) => [`dist/${name}.js`, `dist/${name}.d.ts`, `dist/${name}.mjs`]);
  for (const expected of ['dist/index.js', 'dist/index.d.ts', 'dist/index.mjs', 'dist/testing/index.js', 'dist/testing/index.d.ts', 'dist/testing.mjs', ...adapters, 'README.md', 'package.json']) {
    expect(files).toContain(expected);
  }
  expect(files.filter((f) => /^(lib|test|bench|examples)\//.test(f) || f.endsWith('.map'))).toEqual([]);
});

test('require() and import give the same classes, and the middleware works in a consumer app', () => {
  const script = `
    const express = require('express');
    const cjs = require('express-payment-webhooks');
    const testing = require('express-payment-webhooks/testing');
    (async () => {
      const esm = await import('express-payment-webhooks');
      const esmTesting = await import('express-payment-webhooks/testing');
      if (esm.WebhookError !== cjs.WebhookError) throw new Error('two copies of WebhookError');
      const names = (m) => Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule').sort().join();
      if (names(esm) !== names(cjs)) throw new Error('ESM and CJS export different names');
      if (names(esmTesting) !== names(testing)) throw new Error('testing: ESM and CJS differ');
      const app = express();
      let handled = 0;
      app.post('/n', cjs.createPay247WebhookMiddleware({ secret: 'k', onEvent: () => { handled++; } }));
      const server = app.listen(0, '127.0.0.1', async () => {
        const n = esmTesting.buildPay247Notification({ secret: 'k' });
        const r = await fetch('http://127.0.0.1:' + server.address().port + '/n', { method: 'POST', headers: n.headers, body: n.body });
        console.log(r.status, await r.text(), handled);
        server.close();
      });
    })().catch((e) => { console.error(e); process.exit(1); });`;
  writeFileSync(join(consumer, 'use.cjs'), script);
  expect(run('node', ['use.cjs'], consumer).trim()).toBe('200 SUCCESS 1');
});

test('TypeScript consumers get the types from both module systems', () => {
  const use = `
    const middleware = createPay247WebhookMiddleware({
      secret: 'k',
      onEvent: async (event) => {
        if (event.type === 'payout.failed') { const remarks: string = event.data.remarks; void remarks; }
      },
    });
    void middleware; void new MemoryDedupStore(); void signPay247({ a: '1' }, 'k');
    // @ts-expect-error onEvent is required
    createPay247WebhookMiddleware({ secret: 'k' });`;
  writeFileSync(join(consumer, 'a.mts'), `import { createPay247WebhookMiddleware, MemoryDedupStore } from 'express-payment-webhooks';\nimport { signPay247 } from 'express-payment-webhooks/testing';\n${use}`);
  writeFileSync(
    join(consumer, 'b.cts'),
    "import epw = require('express-payment-webhooks');\nimport kit = require('express-payment-webhooks/testing');\n" +
      `const { createPay247WebhookMiddleware, MemoryDedupStore } = epw;\nconst { signPay247 } = kit;\n${use}`,
  );
  writeFileSync(
    join(consumer, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] }, files: ['a.mts', 'b.cts'] }),
  );
  expect(() => run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer], consumer)).not.toThrow();
});

test('each server subpath: the five factories, the same from require and import, loading no server framework', () => {
  const script = `
    (async () => {
      const loaded = () => Object.keys(require.cache).filter((f) => /node_modules\\/(fastify|koa|express)\\//.test(f));
      require('express-payment-webhooks');
      if (loaded().length) throw new Error('the root entry loaded ' + loaded()[0]);
      for (const name of ${JSON.stringify(SUBPATHS)}) {
        const cjs = require('express-payment-webhooks/' + name);
        const esm = await import('express-payment-webhooks/' + name);
        for (const factory of ${JSON.stringify(FACTORIES)}) {
          if (typeof cjs[factory] !== 'function' || esm[factory] !== cjs[factory]) throw new Error(name + ': ' + factory);
        }
      }
      // The adapters import only the frameworks' types: the app's own framework is all that runs.
      if (loaded().length) throw new Error('an adapter loaded ' + loaded()[0]);
      const { createPay247WebhookHandler } = require('express-payment-webhooks/fetch');
      const { buildPay247Notification } = require('express-payment-webhooks/testing');
      const n = buildPay247Notification({ secret: 'k' });
      const response = await createPay247WebhookHandler({ secret: 'k', onEvent: () => {} })(new Request('http://x/n', { method: 'POST', headers: n.headers, body: n.body }));
      console.log(response.status, await response.text());
    })().catch((e) => { console.error(e); process.exit(1); });`;
  writeFileSync(join(consumer, 'adapters.cjs'), script);
  expect(run('node', ['adapters.cjs'], consumer).trim()).toBe('200 SUCCESS');
});

test('TypeScript consumers get the adapter types from the subpaths, typed ctx.req included', () => {
  const use = `
    const fetchHandler = fetchAdapter.createPay247WebhookHandler({ secret: 'k', onEvent: (_event, ctx) => { const url: string | undefined = ctx.req?.url; void url; } });
    const response: Promise<Response> = fetchHandler(new Request('http://x'));
    const listener = nodeAdapter.createSgateWebhookHandler({ publicKey: 'k', apiKey: 'a', onEvent: (_event, ctx) => { void ctx.req?.socket; } });
    void response; void listener;
    // @ts-expect-error ctx.req of the Fetch handler is a Request, not a Node request
    fetchAdapter.createPay247WebhookHandler({ secret: 'k', onEvent: (_event, ctx) => ctx.req?.socket });`;
  writeFileSync(join(consumer, 'c.mts'), `import * as fetchAdapter from 'express-payment-webhooks/fetch';\nimport * as nodeAdapter from 'express-payment-webhooks/node';\n${use}`);
  writeFileSync(
    join(consumer, 'd.cts'),
    "import fetchAdapter = require('express-payment-webhooks/fetch');\nimport nodeAdapter = require('express-payment-webhooks/node');\n" + use,
  );
  writeFileSync(
    join(consumer, 'tsconfig.adapters.json'),
    JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], lib: ['es2022', 'dom'] }, files: ['c.mts', 'd.cts'] }),
  );
  expect(() => run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(consumer, 'tsconfig.adapters.json')], consumer)).not.toThrow();
});
