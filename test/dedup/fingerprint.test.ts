import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { fingerprint } from '../../lib/dedup/fingerprint';

/** The plain definition: sorted keys at every level, JSON.stringify for every scalar and key. */
function reference(value: unknown): string {
  const canonical = (v: unknown): string => {
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
    const record = v as Record<string, unknown>;
    return `{${Object.keys(record).sort().map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(',')}}`;
  };
  return createHash('sha256').update(canonical(value), 'utf8').digest('hex').slice(0, 32);
}

const anyCodeUnit = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });

test('the fast quoting gives exactly the digest of the plain definition (escapes, controls, lone surrogates)', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), anyCodeUnit, (value, text) => {
      for (const v of [value, text, { [text]: value, list: [text, value] }]) expect(fingerprint(v as never)).toBe(reference(v));
    }),
    { numRuns: 2000 },
  );
});

test('key order does not matter; array order and values do', () => {
  expect(fingerprint({ a: 1, b: [1, 2] } as never)).toBe(fingerprint({ b: [1, 2], a: 1 } as never));
  expect(fingerprint({ a: 1, b: [1, 2] } as never)).not.toBe(fingerprint({ a: 1, b: [2, 1] } as never));
  expect(fingerprint({ a: '1' } as never)).not.toBe(fingerprint({ a: 1 } as never));
});
