/**
 * docs/servers.md shows each server's example verbatim: every code block
 * marked `<!-- example: path -->` is that file, byte for byte, and every
 * file in examples/servers that a reader needs is shown. The files
 * themselves run in test/examples/servers.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const doc = readFileSync(join(root, 'docs', 'servers.md'), 'utf8');
const included = [...doc.matchAll(/<!-- example: (\S+) -->\n```\w*\n([\s\S]*?)```\n/g)].map(([, path, code]) => ({ path, code }));

test('each included example is the file, verbatim', () => {
  expect(included.length).toBeGreaterThan(0);
  for (const { path, code } of included) expect({ path, code }).toEqual({ path, code: readFileSync(join(root, path), 'utf8') });
});

test('every server example is included (orders.js is the merchant code they share)', () => {
  const files = readdirSync(join(root, 'examples', 'servers')).filter((file) => file !== 'orders.js');
  expect(included.map(({ path }) => path).sort()).toEqual(files.map((file) => `examples/servers/${file}`).sort());
});

test('no other code block in the doc: every example shown is one that runs', () => {
  // Opening and closing fences: two per block.
  const fences = doc.match(/^```/gm) ?? [];
  expect(fences).toHaveLength(2 * included.length);
});
