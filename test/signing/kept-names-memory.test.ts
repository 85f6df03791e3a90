import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * Field names are the sender's, and the name caches of the signing string are
 * filled before any signature is checked. A flood of bodies with long made-up
 * names must not leave them held for the life of the process. Measured in a
 * child process with --expose-gc: the heap kept after the flood, collected.
 */
describe('the signing string keeps no long names', () => {
  test('300 bodies, each with its own 60 KB field name, leave under 4 MB held (kept, they would hold over 15 MB)', () => {
    const script = `
      const { assertFieldNames, sortedFieldString, WORD_FIELD_NAMES } = require(${JSON.stringify(path.join(__dirname, '../../dist/signing/sorted-fields'))});
      const exclude = new Set(['sign']);
      global.gc();
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < 300; i++) {
        const name = 'n' + String(i).padStart(4, '0') + 'x'.repeat(60 * 1024);
        const fields = { [name]: 'v', amount: '1' };
        assertFieldNames(fields, WORD_FIELD_NAMES);
        sortedFieldString(fields, { exclude, skipEmpty: true });
      }
      // Twice: a single collection may leave some of the strings for the next.
      global.gc();
      global.gc();
      console.log(process.memoryUsage().heapUsed - before);
    `;
    const child = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(child.stderr).toBe('');
    const held = Number(child.stdout.trim());
    expect(Number.isFinite(held)).toBe(true);
    expect(held).toBeLessThan(4 * 1024 * 1024);
  });
});
