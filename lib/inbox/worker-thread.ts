import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Run from the TypeScript sources (the package's own tests under ts-jest),
 * a worker has no compiled file to load: this bootstrap compiles the
 * worker's .ts files as they are required, with the TypeScript compiler the
 * tests already have, and caches the output by content hash in the temp
 * directory, so later threads start without loading the compiler. The built
 * package (dist/) never uses it.
 */
const TYPESCRIPT_BOOTSTRAP = `
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { workerData } = require('node:worker_threads');
let ts;
require.extensions['.ts'] = (module, filename) => {
  const source = readFileSync(filename, 'utf8');
  const cached = join(workerData.cache, createHash('sha256').update(filename).update('\\0').update(source).digest('hex') + '.js');
  let output;
  try {
    output = readFileSync(cached, 'utf8');
  } catch {
    ts ??= require(workerData.typescript);
    const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
    output = ts.transpileModule(source, { fileName: filename, compilerOptions }).outputText;
    mkdirSync(workerData.cache, { recursive: true });
    const partial = cached + '.' + process.pid + '.' + require('node:worker_threads').threadId;
    writeFileSync(partial, output);
    renameSync(partial, cached);
  }
  module._compile(output, filename);
};
require(workerData.script);
`;

/**
 * Starts the worker thread `name` from this directory: its compiled .js
 * sibling when there is one (dist/), else its .ts source (tests).
 */
export function startWorkerThread(name: string, workerData: Record<string, unknown>): Worker {
  const compiled = join(__dirname, `${name}.js`);
  if (existsSync(compiled)) return new Worker(compiled, { workerData });
  const script = join(__dirname, `${name}.ts`);
  return new Worker(TYPESCRIPT_BOOTSTRAP, {
    eval: true,
    workerData: {
      ...workerData,
      script,
      typescript: require.resolve('typescript'),
      cache: join(tmpdir(), 'express-payment-webhooks-worker-cache'),
    },
  });
}
