import { parseForm } from '../../lib/body/form';
import { thrownCode } from '../helpers/thrown-code';

describe('parseForm', () => {
  test('flat, null-prototype, decoded as PHP encodes (+ is a space, UTF-8)', () => {
    const fields = parseForm('a=1&bank_name=%E4%B8%AD%E5%9B%BD&note=two+words&empty=&flag');
    expect(Object.getPrototypeOf(fields)).toBeNull();
    expect({ ...fields }).toEqual({ a: '1', bank_name: '中国', note: 'two words', empty: '', flag: '' });
  });

  test('bracket keys are literal names, never nesting', () => {
    const fields = parseForm('a[b]=1&c[]=2');
    expect(fields['a[b]']).toBe('1');
    expect(fields['c[]']).toBe('2');
    expect(fields.a).toBeUndefined();
  });

  test.each([['a=1&a=2'], ['a=1&b=2&a=1']])('a repeated key is refused: %s', (text) => {
    expect(thrownCode(() => parseForm(text))).toBe('BODY_MALFORMED');
  });

  test.each(['__proto__', 'constructor', 'prototype'])('the reserved name %s is refused', (name) => {
    expect(thrownCode(() => parseForm(`${name}=x&a=1`))).toBe('BODY_MALFORMED');
  });

  test('hasOwnProperty as a field name is just a field', () => {
    expect(parseForm('hasOwnProperty=1').hasOwnProperty).toBe('1');
  });

  test('an empty body is refused', () => {
    expect(thrownCode(() => parseForm(''))).toBe('BODY_MALFORMED');
  });
});
