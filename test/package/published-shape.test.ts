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
  for (const expected of ['dist/index.js', 'dist/index.d.ts', 'dist/index.mjs', 'dist/testing/index.js', 'dist/testing/index.d.ts', 'dist/testing.mjs', 'README.md', 'package.json']) {
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
        if (event.type === 'payout.failed') {
          // A failed payout is a legacy one (remarks) or a current-API one (error): narrowed on its status.
          const reason: string = event.data.status === 'FAIL' ? event.data.error : event.data.remarks;
          void reason;
        }
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
