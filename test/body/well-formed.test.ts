/**
 * Digests run over UTF-8, where every lone surrogate becomes U+FFFD: a body
 * holding "\ud800" would verify like one holding "\ufffd", and the handler
 * would see a value that was never signed. Every parser refuses strings that
 * are not well-formed Unicode, in names and values, and a form's
 * percent-escapes that are not UTF-8 (lossily decoded to U+FFFD before).
 */
import { fromParsedBody } from '../../lib/body/fields';
import { parseForm } from '../../lib/body/form';
import { parseJsonObject } from '../../lib/body/json';
import { parseXmlResponse } from '../../lib/body/xml';
import { readParsedBody } from '../../lib/core/read-body';
import { thrownCode } from '../helpers/thrown-code';

describe('strings that are not well-formed Unicode are refused (400 BODY_MALFORMED)', () => {
  test.each([
    ['a value', '{"a":"\\ud800"}'],
    ['a low half alone', '{"a":"x\\udc00y"}'],
    ['halves in the wrong order', '{"a":"\\udc00\\ud800"}'],
    ['a name', '{"\\ud800":"x"}'],
    ['a nested value', '{"a":{"b":["ok","\\udfff"]}}'],
    ['a nested name', '{"a":[{"\\ud83d":1}]}'],
  ])('JSON: %s', (_name, text) => {
    expect(thrownCode(() => parseJsonObject(text))).toBe('BODY_MALFORMED');
    // Text from the fatal UTF-8 decoder skips the whole-text scan, never the escapes' check.
    expect(thrownCode(() => parseJsonObject(text, true))).toBe('BODY_MALFORMED');
  });

  test('JSON: a pair written as escapes, and U+FFFD itself, are fine', () => {
    expect(parseJsonObject('{"a":"\\ud83d\\ude00","b":"\\ufffd","\\ud83d\\ude00":"c"}')).toEqual(Object.assign(Object.create(null), { a: '😀', b: '\ufffd', '😀': 'c' }));
  });

  test('JSON given as a string that already holds a lone surrogate (a kept req.rawBody string)', () => {
    expect(thrownCode(() => parseJsonObject('{"a":"\ud800"}'))).toBe('BODY_MALFORMED');
    expect(thrownCode(() => parseJsonObject('{"\udc00":"a"}'))).toBe('BODY_MALFORMED');
  });

  test.each([
    ['bytes that encode a lone surrogate (never valid UTF-8)', Buffer.from([...Buffer.from('{"a":"'), 0xed, 0xa0, 0x80, ...Buffer.from('"}')])],
    ['a kept string holding one in a value', '{"a":"\ud800"}'],
    ['a kept string holding one in a name', '{"\udc00":"a"}'],
  ])('a body read or kept by another parser: %s', async (_name, raw) => {
    const facts = { req: undefined, method: 'POST', headers: { 'content-type': 'application/json' }, url: '/', ip: undefined, body: async () => ({ raw }) };
    const reading = { bodyLimits: { limit: 1 << 20, timeoutMs: 1000 }, readRaw: () => Promise.reject(new Error('not read here')) };
    const spec = { provider: 'test', mediaTypes: { 'application/json': 'json' }, needsRawBody: false } as unknown as Parameters<typeof readParsedBody>[0];
    await expect(readParsedBody(spec, facts, reading)).rejects.toMatchObject({ code: 'BODY_MALFORMED' });
  });

  test.each([
    ['a lone surrogate, UTF-8-style', 'a=%ED%A0%80'],
    ['a byte that is never UTF-8', 'a=%FF'],
    ['a truncated sequence', 'a=%E4%B8'],
    ['in a name', '%ED%A0%80=1'],
  ])('form: %s', (_name, text) => {
    expect(thrownCode(() => parseForm(text))).toBe('BODY_MALFORMED');
  });

  test('form: UTF-8 escapes, + and stray % as before', () => {
    expect({ ...parseForm('a=%F0%9F%98%80&b=%EF%BF%BD&c=100%&d=%zz&e=a+b') }).toEqual({ a: '😀', b: '\ufffd', c: '100%', d: '%zz', e: 'a b' });
  });

  test.each([
    ['a character reference to a surrogate', '<response><a>&#xD800;</a></response>'],
    ['text that already holds one', '<response><a>\ud800</a></response>'],
  ])('XML: %s', (_name, text) => {
    expect(thrownCode(() => parseXmlResponse(text))).toBe('BODY_MALFORMED');
  });

  test.each([
    ['a value', { a: '\ud800' }],
    ['a name', { '\udc00': 'x' }],
    ['a nested value', { a: { b: ['\ud800'] } }],
  ])('a body another parser produced: %s', (_name, body) => {
    expect(thrownCode(() => fromParsedBody(body))).toBe('BODY_MALFORMED');
  });
});
