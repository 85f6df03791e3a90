/**
 * The package as npm would publish it: packed, installed into a consumer
 * project without its optional peers, then used with require, with import,
 * from the CLI and from strict TypeScript, and checked by the package linters.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeConsumerProject, ROOT, run, type ConsumerProject } from './consumer-project';

const OPTIONAL_PEERS = ['better-sqlite3', 'ioredis'];
/** The servers: each app installs its own, and none is required (npm would install a required peer for an app that uses another). */
const SERVER_PEERS = ['express', 'fastify', 'koa'];
let project: ConsumerProject;

/** The server adapters, one subpath each. */
const SUBPATHS = ['node', 'fetch', 'fastify', 'koa'];
const FACTORIES = ['Pay247', 'Sgate', 'CardIssuing', 'PingPongKyb', 'CryptoGateway'].map((stem) => `create${stem}WebhookHandler`);

beforeAll(() => {
  project = makeConsumerProject();
}, 30_000);

afterAll(() => project?.remove());

function node(script: string, file: string): string {
  writeFileSync(join(project.dir, file), script);
  return run(process.execPath, [file], project.dir).trim();
}

test('the tarball holds the build, the types, the docs and the licence, not the sources or tests', () => {
  const expected = ['dist/index.js', 'dist/index.d.ts', 'dist/index.mjs', 'dist/index.d.mts', 'dist/cli/index.js'];
  expected.push('dist/testing/index.js', 'dist/testing/index.d.ts', 'dist/testing.mjs', 'dist/testing.d.mts');
  expected.push(...SUBPATHS.flatMap((name) => [`dist/${name}.js`, `dist/${name}.d.ts`, `dist/${name}.mjs`, `dist/${name}.d.mts`]));
  expected.push('README.md', 'SECURITY.md', 'CHANGELOG.md', 'LICENSE', 'package.json');
  expect(project.files).toEqual(expect.arrayContaining(expected));
  expect(project.files.filter((f) => /^(lib|test|bench|examples|scripts)\//.test(f) || f.endsWith('.map'))).toEqual([]);
  expect(readFileSync(join(project.dir, 'node_modules/express-payment-webhooks/LICENSE'), 'utf8')).toMatch(/^MIT License[\s\S]*express-payment-webhooks contributors/);
});

test('a default install builds nothing native: nothing it installs has an install script', () => {
  expect(Object.keys(project.packed.dependencies ?? {})).not.toEqual(expect.arrayContaining(OPTIONAL_PEERS.slice(0, 1)));
  for (const name of OPTIONAL_PEERS) {
    expect({ name, dependency: project.packed.dependencies?.[name], optional: project.packed.peerDependenciesMeta?.[name]?.optional }).toEqual({
      name,
      dependency: undefined,
      optional: true,
    });
  }
  // What `npm install express-payment-webhooks` brings in, as resolved in this repo's lockfile.
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')).packages as Record<
    string,
    { dependencies?: Record<string, string>; peerDependencies?: Record<string, string>; hasInstallScript?: boolean }
  >;
  const locate = (name: string, from: string): string => {
    for (let at = from; ; at = at.slice(0, Math.max(0, at.lastIndexOf('/node_modules/')))) {
      const candidate = `${at ? `${at}/` : ''}node_modules/${name}`;
      if (lock[candidate]) return candidate;
      if (!at) throw new Error(`${name} (needed by ${from || 'the package'}) is not in package-lock.json`);
    }
  };
  const requiredPeers = Object.keys(project.packed.peerDependencies ?? {}).filter((name) => !project.packed.peerDependenciesMeta?.[name]?.optional);
  const queue = [...Object.keys(project.packed.dependencies ?? {}), ...requiredPeers].map((name) => locate(name, ''));
  const seen = new Set<string>();
  while (queue.length > 0) {
    const at = queue.pop()!;
    if (seen.has(at)) continue;
    seen.add(at);
    for (const name of Object.keys(lock[at].dependencies ?? {})) queue.push(locate(name, at));
  }
  expect(SERVER_PEERS.map((name) => [name, project.packed.peerDependenciesMeta?.[name]?.optional])).toEqual(SERVER_PEERS.map((name) => [name, true]));
  expect(seen.size).toBeGreaterThan(10);
  expect([...seen].filter((at) => lock[at].hasInstallScript)).toEqual([]);
});

test('require() and import give the same classes and the same default, and the middleware works in a consumer app', () => {
  const script = `
    const express = require('express');
    const cjs = require('express-payment-webhooks');
    const testing = require('express-payment-webhooks/testing');
    (async () => {
      const esm = await import('express-payment-webhooks');
      const esmTesting = await import('express-payment-webhooks/testing');
      if (esm.WebhookError !== cjs.WebhookError) throw new Error('two copies of WebhookError');
      if (esm.default !== cjs || esmTesting.default !== testing) throw new Error('the default import is not the CommonJS module');
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
  expect(node(script, 'use.cjs')).toBe('200 SUCCESS 1');
});

test('without ioredis and better-sqlite3 the package loads, and what needs them says which package to install', () => {
  const script = `
    for (const peer of ${JSON.stringify(OPTIONAL_PEERS)}) {
      try { require.resolve(peer); throw new Error(peer + ' is installed in the consumer project'); } catch (e) { if (e.code !== 'MODULE_NOT_FOUND') throw e; }
    }
    const epw = require('express-payment-webhooks');
    require('express-payment-webhooks/testing');
    const attempts = {
      SqliteInbox: () => new epw.SqliteInbox({ path: 'inbox.db' }),
      RedisDedupStore: () => new epw.RedisDedupStore({ url: 'redis://127.0.0.1:1' }),
      RedisInbox: () => new epw.RedisInbox({ url: 'redis://127.0.0.1:1' }),
    };
    const messages = {};
    for (const [name, attempt] of Object.entries(attempts)) {
      try { attempt(); messages[name] = 'no error'; } catch (e) { messages[name] = e.message; }
    }
    console.log(JSON.stringify({ messages, loaded: Object.keys(require.cache).filter((f) => /ioredis|better-sqlite3/.test(f)) }));`;
  const { messages, loaded } = JSON.parse(node(script, 'peers.cjs'));
  expect(loaded).toEqual([]);
  expect(messages).toEqual({
    SqliteInbox: expect.stringMatching(/SqliteInbox needs the package "better-sqlite3".*npm install better-sqlite3$/),
    RedisDedupStore: expect.stringMatching(/RedisDedupStore.*needs the package "ioredis".*npm install ioredis$/),
    RedisInbox: expect.stringMatching(/RedisInbox.*needs the package "ioredis".*npm install ioredis$/),
  });

  const cli = (args: string[]) => {
    const { status, stderr } = spawnSync(process.execPath, ['node_modules/express-payment-webhooks/dist/cli/index.js', ...args], { cwd: project.dir, encoding: 'utf8' });
    return { code: status, stderr };
  };
  expect(cli(['inbox', 'list', '--redis', 'redis://127.0.0.1:1'])).toEqual({ code: 1, stderr: expect.stringContaining('npm install ioredis') });
  writeFileSync(join(project.dir, 'inbox.db'), '');
  expect(cli(['inbox', 'list', '--db', 'inbox.db'])).toEqual({ code: 1, stderr: expect.stringContaining('npm install better-sqlite3') });
});

test('TypeScript (strict, nodenext, skipLibCheck off, no ioredis): imports from both module systems are typed as they run', () => {
  const use = `
    const middleware = createPay247WebhookMiddleware({
      secret: 'k',
      onEvent: async (event, ctx) => {
        if (event.type === 'payout.failed') {
          // A failed payout is a legacy one (remarks) or a current-API one (error): narrowed on its status.
          const reason: string = event.data.status === 'FAIL' ? event.data.error : event.data.remarks;
          void reason;
        }
        const header: string | undefined = ctx.req?.get('user-agent');
        void header;
      },
    });
    const store = new MemoryDedupStore();
    // @ts-expect-error onEvent is required
    void (() => createPay247WebhookMiddleware({ secret: 'k' }));
    // @ts-expect-error a client is an ioredis client, not a URL
    void (() => new RedisDedupStore({ client: 'redis://127.0.0.1' }));
    void (() => new RedisInbox({ url: 'redis://127.0.0.1' }));
    console.log(typeof middleware, store instanceof MemoryDedupStore, signPay247({ a: '1' }, 'k').length > 0);`;
  writeFileSync(
    join(project.dir, 'a.mts'),
    "import { createPay247WebhookMiddleware, MemoryDedupStore, RedisDedupStore, RedisInbox } from 'express-payment-webhooks';\n" +
      "import epw from 'express-payment-webhooks';\nimport kit, { signPay247 } from 'express-payment-webhooks/testing';\n" +
      `${use}\nconsole.log(epw.MemoryDedupStore === MemoryDedupStore, kit.signPay247 === signPay247);\n`,
  );
  writeFileSync(
    join(project.dir, 'b.cts'),
    "import epw = require('express-payment-webhooks');\nimport kit = require('express-payment-webhooks/testing');\n" +
      `const { createPay247WebhookMiddleware, MemoryDedupStore, RedisDedupStore, RedisInbox } = epw;\nconst { signPay247 } = kit;\n${use}\n`,
  );
  const compilerOptions = { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, skipLibCheck: false, types: ['node'], outDir: 'out' };
  writeFileSync(join(project.dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['a.mts', 'b.cts'] }));
  expect(() => run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], project.dir)).not.toThrow();
  expect(run(process.execPath, ['out/a.mjs'], project.dir).trim().split('\n')).toEqual(['function true true', 'true true']);
  expect(run(process.execPath, ['out/b.cjs'], project.dir).trim()).toBe('function true true');
});

test('arethetypeswrong and publint --strict find nothing wrong with the tarball', () => {
  const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
  expect(() => run(bin('attw'), [project.tarball, '--format', 'ascii'], project.dir)).not.toThrow();
  expect(run(bin('publint'), ['run', project.tarball, '--strict'], project.dir)).toContain('All good!');
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
  expect(node(script, 'adapters.cjs')).toBe('200 SUCCESS');
});

test('TypeScript consumers get the adapter types from the subpaths, typed ctx.req included', () => {
  const use = `
    const fetchHandler = fetchAdapter.createPay247WebhookHandler({ secret: 'k', onEvent: (_event, ctx) => { const url: string | undefined = ctx.req?.url; void url; } });
    const response: Promise<Response> = fetchHandler(new Request('http://x'));
    const listener = nodeAdapter.createSgateWebhookHandler({ publicKey: 'k', apiKey: 'a', onEvent: (_event, ctx) => { void ctx.req?.socket; } });
    void response; void listener;
    // @ts-expect-error ctx.req of the Fetch handler is a Request, not a Node request
    fetchAdapter.createPay247WebhookHandler({ secret: 'k', onEvent: (_event, ctx) => ctx.req?.socket });`;
  writeFileSync(join(project.dir, 'c.mts'), `import * as fetchAdapter from 'express-payment-webhooks/fetch';\nimport * as nodeAdapter from 'express-payment-webhooks/node';\n${use}`);
  writeFileSync(
    join(project.dir, 'd.cts'),
    "import fetchAdapter = require('express-payment-webhooks/fetch');\nimport nodeAdapter = require('express-payment-webhooks/node');\n" + use,
  );
  writeFileSync(
    join(project.dir, 'tsconfig.adapters.json'),
    JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], lib: ['es2022', 'dom'] }, files: ['c.mts', 'd.cts'] }),
  );
  expect(() => run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.adapters.json'], project.dir)).not.toThrow();
});
