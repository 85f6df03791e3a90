import fc from 'fast-check';
import { parseJsonObject } from '../../lib/body/json';
import { thrownCode } from '../helpers/thrown-code';

describe('parseJsonObject', () => {
  test('gives null-prototype objects all the way down, values untouched', () => {
    const fields = parseJsonObject('{"a":"100.0000","b":{"c":[{"d":1}]},"n":2}');
    expect(Object.getPrototypeOf(fields)).toBeNull();
    expect(Object.getPrototypeOf((fields.b as any))).toBeNull();
    expect(Object.getPrototypeOf((fields.b as any).c[0])).toBeNull();
    expect(fields.a).toBe('100.0000');
    expect(fields.n).toBe(2);
  });

  test.each([
    ['{"a":1,"a":2}'],
    ['{"a":1, "a" :2}'],
    ['{"x":{"a":1,"a":1}}'],
    ['[{"a":1}]'.slice(1, -1).replace('}', ',"a":3}')],
    ['{"a\\\\":1,"a\\\\":2}'],
    ['{"a":"\\" :","b":1,"b":2}'],
    // Commas or braces inside strings: the quick bound is above the properties, the exact count decides.
    ['{"a":"1,2","a":3}'],
    ['{"a":"{","b":1,"b":2}'],
    // Only the nested object's '{' lets the bound reach the key tokens.
    ['{"a":{"b":1,"b":2}}'],
    // The first value, dropped by JSON.parse, held keys of its own.
    ['{"a":{"x":1,"y":2},"a":{"x":1}}'],
    ['{"a":[{"x":1},{"y":2}],"a":[]}'],
  ])('a repeated key is refused: %s', (text) => {
    expect(thrownCode(() => parseJsonObject(text))).toBe('BODY_MALFORMED');
  });

  test.each([
    ['{"a":"\\"b\\":1","b":2}', 'an escaped quote and colon inside a value'],
    ['{"a":"x\\\\","b":"y"}', 'an escaped backslash before the closing quote'],
    ['{"a":":","b":"\\":"}', 'colons inside strings'],
    ['{"a":{"a":1},"b":[{"a":1},{"a":2}]}', 'the same key in different objects'],
    [' { "a" : 1 ,\n "b"\t:\r2 } ', 'whitespace everywhere'],
    ['{"a":"1,2,3","b":"{{}}","c":{}}', 'commas and braces inside values, an empty object'],
    ['{"a":[1,2,3],"b":[{},{}]}', 'commas in arrays'],
  ])('no false repeated key: %s (%s)', (text) => {
    expect(thrownCode(() => parseJsonObject(text))).toBe('ok');
  });

  test('random objects, compact or spaced: never a false repeated key; a key written twice is always refused', () => {
    const object = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1 });
    fc.assert(
      fc.property(object, fc.boolean(), (value, spaced) => {
        fc.pre(!Object.keys(value).some((key) => ['__proto__', 'constructor', 'prototype'].includes(key)));
        const nested = JSON.stringify(value).includes('"__proto__"') || /"(constructor|prototype)"/.test(JSON.stringify(value));
        fc.pre(!nested);
        const text = spaced ? JSON.stringify(value, null, 1) : JSON.stringify(value);
        expect(thrownCode(() => parseJsonObject(text))).toBe('ok');
        const [first] = Object.keys(value);
        const twice = `${text.slice(0, -1).trimEnd()}${spaced ? ' ,\n ' : ','}${JSON.stringify(first)}${spaced ? ' : ' : ':'}0}`;
        expect(thrownCode(() => parseJsonObject(twice))).toBe('BODY_MALFORMED');
      }),
      { numRuns: 1000 },
    );
  });

  test.each(['__proto__', 'constructor', 'prototype'])('the reserved name %s is refused at any depth', (name) => {
    expect(thrownCode(() => parseJsonObject(`{"${name}":{"polluted":true}}`))).toBe('BODY_MALFORMED');
    expect(thrownCode(() => parseJsonObject(`{"a":[{"${name}":1}]}`))).toBe('BODY_MALFORMED');
    expect(({} as any).polluted).toBeUndefined();
  });

  test('deep nesting is refused without a stack overflow', () => {
    expect(thrownCode(() => parseJsonObject('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)))).toBe('BODY_MALFORMED');
    expect(thrownCode(() => parseJsonObject('{"a":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}'))).toBe('BODY_MALFORMED');
  });

  test.each([['[]'], ['"text"'], ['42'], ['null'], ['']])('not an object: %s', (text) => {
    expect(['BODY_INVALID', 'BODY_MALFORMED']).toContain(thrownCode(() => parseJsonObject(text)));
  });
});
