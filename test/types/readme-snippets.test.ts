/**
 * Every ```ts and ```js block of README.md and docs/**\/*.md, read at run
 * time, type-checks under `strict` (JavaScript with checkJs), as a merchant
 * would paste it. The merchant's own things (`app`, `markPaid`, …) are
 * declared by a prelude: `app` is an Express app, each `process.env.NAME` a
 * string, the package's exports are typed as the package types them, and
 * any other name a block uses without declaring it is the merchant's: a
 * function it calls takes values that are neither undefined nor null, so
 * that passing `event.data.x` where x may be missing is an error (as with
 * the merchant's own typed functions), an object it calls methods of has
 * such methods, and anything else is `any`. A block that shows an example
 * file verbatim (`<!-- example: path -->` before it; test/docs/servers.test.ts
 * holds them equal) is checked as that file, where it is, so that what it
 * imports from beside it resolves.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as api from '../../lib';
import * as testingKit from '../../lib/testing';
import { typeCheck, type Diagnostic } from './compile';

const ROOT = join(__dirname, '..', '..');
const UNDECLARED_NAME = new Set([2304, 2552, 2582, 18004]);
const IMPLICIT_ANY = new Set([7005, 7006, 7019, 7031, 7034]);

/**
 * Errors the docs have today that only the docs can fix, each by the code it
 * is in. Every entry must still match an error, so a fixed one must be removed.
 */
const KNOWN_DOC_ERRORS: ReadonlyArray<{ code: string; error: number; why: string }> = [
  { code: 'server.address().port', error: 2531, why: "server.address() is AddressInfo | string | null: `/** @type {import('node:net').AddressInfo} */ (server.address()).port`" },
  { code: 'server.address().port', error: 2339, why: 'the same line' },
  { code: 'a.answer.status', error: 18048, why: 'answer is undefined for an attempt that got no answer: a.answer?.status' },
];

interface Snippet {
  name: string;
  text: string;
  /** The example file the block shows verbatim, checked in its place. */
  example?: string;
}

function markdownFiles(): string[] {
  const docs = join(ROOT, 'docs');
  const inDocs = existsSync(docs) ? (readdirSync(docs, { recursive: true }) as string[]).filter((f) => f.endsWith('.md')).map((f) => join(docs, f)) : [];
  return [join(ROOT, 'README.md'), ...inDocs.sort()];
}

function snippets(): Snippet[] {
  const found: Snippet[] = [];
  for (const file of markdownFiles()) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^```(ts|typescript|js|javascript)[^\S\n]*\n([\s\S]*?)^```/gm)) {
      const line = text.slice(0, match.index).split('\n').length;
      const extension = match[1].startsWith('t') ? 'ts' : 'js';
      const example = /<!-- example: (\S+) -->\n$/.exec(text.slice(0, match.index))?.[1];
      found.push({ name: `${relative(ROOT, file)}:${line}.${extension}`, text: match[2], example });
    }
  }
  return found;
}

/**
 * Global declarations (blocks are modules: what one declares shadows these).
 * The package's exports are declared with their own types, for a block that
 * goes on from an earlier one without repeating its require.
 */
function prelude(blocks: Snippet[], merchantNames: Iterable<string>): string {
  const env = new Set(blocks.flatMap((block) => [...block.text.matchAll(/process\.env\.(\w+)/g)].map((m) => m[1])));
  const exports = (module: string, names: string[]) => names.map((name) => `  const ${name}: typeof import('${module}').${name};`);
  return [
    'export {};',
    'declare global {',
    "  const app: import('express').Express;",
    `  namespace NodeJS { interface ProcessEnv { ${[...env].map((name) => `${name}: string;`).join(' ')} } }`,
    ...exports('express-payment-webhooks', Object.keys(api)),
    ...exports('express-payment-webhooks/testing', Object.keys(testingKit)),
    ...[...merchantNames].map((name) => `  const ${name}: ${merchantType(blocks, name)};`),
    '}',
  ].join('\n');
}

function merchantType(blocks: Snippet[], name: string): string {
  const used = (pattern: string) => blocks.some((block) => new RegExp(pattern).test(block.text));
  const call = '(...args: Array<{}>) => any';
  if (used(`(^|[^.\\w])${name}\\s*\\(`)) return call;
  if (used(`(^|[^.\\w])${name}\\.\\w+\\s*\\(`)) return `{ [method: string]: ${call} }`;
  return 'any';
}

const blocks = snippets();

test('the docs have code blocks to check', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(5);
});

test('every ts and js block of the docs compiles under strict', () => {
  const files = Object.fromEntries(blocks.filter((block) => block.example === undefined).map((block) => [block.name, block.text]));
  const examples = blocks.flatMap((block) => (block.example === undefined ? [] : [block.example]));
  const first = typeCheck({ ...files, 'prelude.d.ts': prelude(blocks, []) }, examples);
  const merchantNames = new Set(first.diagnostics.filter((d) => UNDECLARED_NAME.has(d.code)).map((d) => /'([^']+)'/.exec(d.message)![1]));
  const { diagnostics } = typeCheck({ ...files, 'prelude.d.ts': prelude(blocks, merchantNames) }, examples, first.program);
  const where = (d: Diagnostic) => `${d.file.replace(/\.(ts|js)$/, '')}+${d.line - 1}: TS${d.code} ${d.message}`;
  // JavaScript has no parameter types to write: its implicit `any`s are not errors (the rest of strict applies).
  const errors = diagnostics.filter((d) => !(/\.[cm]?js$/.test(d.file) && IMPLICIT_ANY.has(d.code)));
  const lineOf = (d: Diagnostic) => files[d.file]?.split('\n')[d.line - 1] ?? '';
  const known = (d: Diagnostic) => KNOWN_DOC_ERRORS.find((k) => k.error === d.code && lineOf(d).includes(k.code));
  expect(errors.filter((d) => !known(d)).map(where)).toEqual([]);
  expect(KNOWN_DOC_ERRORS.filter((k) => !errors.some((d) => known(d) === k))).toEqual([]);
}, 60_000);
