import path from 'node:path';
import { heapHeldAfter } from '../helpers/heap-held';

/**
 * Field names are the sender's, and whatever the signing string keeps of them
 * is kept before any signature is checked. A flood of bodies with long made-up
 * names must not leave them held for the life of the process. Measured in a
 * child process with --expose-gc: the heap kept after the flood, collected.
 */
describe('the signing string keeps no long names', () => {
  test('300 bodies, each with its own 60 KB field name, leave under 4 MB held (kept, they would hold over 15 MB)', () => {
    const setup = `
      const { assertFieldNames, sortedFieldString, WORD_FIELD_NAMES } = require(${JSON.stringify(path.join(__dirname, '../../dist/signing/sorted-fields'))});
      const exclude = new Set(['sign']);`;
    const held = heapHeldAfter(
      setup,
      `for (let i = 0; i < 300; i++) {
        const name = 'n' + String(i).padStart(4, '0') + 'x'.repeat(60 * 1024);
        const fields = { [name]: 'v', amount: '1' };
        assertFieldNames(fields, WORD_FIELD_NAMES);
        sortedFieldString(fields, { exclude, skipEmpty: true });
      }`,
    );
    expect(held).toBeLessThan(4 * 1024 * 1024);
  });
});
