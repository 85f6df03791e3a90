/**
 * parseJsonObject gives null prototypes in place (no copy): every object at
 * every depth, and still refuses what a copy refused.
 */
import fc from 'fast-check';
import { parseJsonObject } from '../../lib/body/json';
import { WebhookError } from '../../lib';

function codeOf(text: string): string | undefined {
  try {
    parseJsonObject(text);
    return undefined;
  } catch (error) {
    return error instanceof WebhookError ? error.code : 'not a WebhookError';
  }
}

describe('parseJsonObject', () => {
  test('every object, at every depth and inside arrays, has a null prototype; arrays stay arrays', () => {
    const fields = parseJsonObject('{"a":{"b":{"c":1}},"list":[{"d":2},[{"e":3}]],"s":"x"}') as any;
    expect(Object.getPrototypeOf(fields)).toBeNull();
    expect(Object.getPrototypeOf(fields.a)).toBeNull();
    expect(Object.getPrototypeOf(fields.a.b)).toBeNull();
    expect(Array.isArray(fields.list)).toBe(true);
    expect(Object.getPrototypeOf(fields.list[0])).toBeNull();
    expect(Object.getPrototypeOf(fields.list[1][0])).toBeNull();
    expect(fields.a.b.c).toBe(1);
    expect(fields.list[1][0].e).toBe(3);
  });

  test('values are exactly as sent: "100.0000" stays a string, numbers stay numbers', () => {
    const fields = parseJsonObject('{"amount":"100.0000","status":2,"ok":true,"none":null}');
    expect({ ...fields }).toEqual({ amount: '100.0000', status: 2, ok: true, none: null });
  });

  test.each([
    ['a repeated top-level key', '{"a":1,"a":2}'],
    ['a repeated nested key', '{"a":{"b":1,"b":2}}'],
    ['a repeated key in an object inside an array', '{"a":[{"b":1,"b":1}]}'],
    ['a repeated key with whitespace before the colon', '{"a" :1,"a"\n:2}'],
    ['a repeated key spelled with an escape', '{"a":1,"\\u0061":2}'],
  ])('%s is refused (BODY_MALFORMED)', (_name, text) => {
    expect(codeOf(text)).toBe('BODY_MALFORMED');
  });

  test('keys and values holding quotes, colons and backslashes are not mistaken for keys', () => {
    const fields = parseJsonObject('{"a\\"b":"c:d","e":"f\\\\","g":"\\"h\\":1"}');
    expect(Object.keys(fields)).toEqual(['a"b', 'e', 'g']);
  });

  test.each(['__proto__', 'constructor', 'prototype'])('the reserved key %s is refused at any depth', (key) => {
    expect(codeOf(`{"${key}":{"x":1}}`)).toBe('BODY_MALFORMED');
    expect(codeOf(`{"a":{"${key}":1}}`)).toBe('BODY_MALFORMED');
    expect(codeOf(`{"a":[{"${key}":1}]}`)).toBe('BODY_MALFORMED');
  });

  test('nesting deeper than 32 levels is refused; 32 are accepted', () => {
    const nest = (levels: number) => '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);
    expect(codeOf(nest(32))).toBeUndefined();
    expect(codeOf(nest(33))).toBe('BODY_MALFORMED');
  });

  test.each([
    ['not JSON', '{"a":', 'BODY_MALFORMED'],
    ['an array', '[1,2]', 'BODY_INVALID'],
    ['a string', '"x"', 'BODY_INVALID'],
    ['null', 'null', 'BODY_INVALID'],
  ])('%s is refused', (_name, text, code) => {
    expect(codeOf(text)).toBe(code);
  });

  test('a polluted Object.prototype neither leaks into the fields nor fakes a repeated key', () => {
    (Object.prototype as any).polluted = 'yes';
    try {
      const fields = parseJsonObject('{"a":1,"b":{"c":2}}') as any;
      expect(fields.polluted).toBeUndefined();
      expect(fields.b.polluted).toBeUndefined();
    } finally {
      delete (Object.prototype as any).polluted;
    }
  });

  test('agrees with JSON.parse on any object without repeated or reserved keys', () => {
    const reserved = /"(__proto__|constructor|prototype)":/;
    const objects = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })).filter((object) => !reserved.test(JSON.stringify(object)));
    fc.assert(
      fc.property(objects, (object) => {
        const text = JSON.stringify(object);
        expect(JSON.parse(JSON.stringify(parseJsonObject(text)))).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });
});
