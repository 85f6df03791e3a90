/**
 * The freshness check jest's globalSetup runs before the tests of dist/:
 * any change under lib/ (a file edited, added or deleted) or to what the
 * build reads makes dist/ stale.
 */
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { staleReason } = require('../../scripts/build-freshness') as { staleReason(root: string): string | undefined };

let root: string;
const BUILT = new Date('2026-01-02T00:00:00Z');
const BEFORE = new Date('2026-01-01T00:00:00Z');
const AFTER = new Date('2026-01-03T00:00:00Z');

function file(relative: string, time: Date): void {
  writeFileSync(join(root, relative), '');
  utimesSync(join(root, relative), time, time);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'epw-freshness-'));
  for (const dir of ['lib/core', 'scripts', 'dist']) mkdirSync(join(root, dir), { recursive: true });
  for (const input of ['lib/index.ts', 'lib/core/a.ts', 'lib/core/b.ts', 'scripts/write-esm-wrappers.js', 'tsconfig.json', 'tsconfig.build.json']) file(input, BEFORE);
  for (const dir of ['lib/core', 'lib']) utimesSync(join(root, dir), BEFORE, BEFORE);
  file('dist/testing.d.mts', BUILT);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

test('a build newer than every input is current', () => {
  expect(staleReason(root)).toBeUndefined();
});

test('no build, or one that stopped before its last step, is stale', () => {
  unlinkSync(join(root, 'dist/testing.d.mts'));
  expect(staleReason(root)).toMatch(/missing/);
});

test.each(['lib/core/a.ts', 'scripts/write-esm-wrappers.js', 'tsconfig.build.json'])('editing %s after the build makes it stale', (input) => {
  file(input, AFTER);
  expect(staleReason(root)).toMatch(/changed after the last build/);
});

test('adding or deleting a file in a nested folder of lib/ makes it stale', () => {
  unlinkSync(join(root, 'lib/core/b.ts'));
  utimesSync(join(root, 'lib/core'), AFTER, AFTER);
  expect(staleReason(root)).toBe('lib changed after the last build');
});
