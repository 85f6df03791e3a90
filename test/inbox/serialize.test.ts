import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { reviveEvent, serializeEvent, UnstorableEventError } from '../../lib/inbox/serialize';

const bare = (fields: Record<string, unknown>) => Object.assign(Object.create(null), fields) as Record<string, unknown>;

/** Values as events hold them: JSON, Dates, undefined fields, plain and null-prototype objects, at any depth. */
const eventValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    // Valid ones: isDeepStrictEqual calls two invalid Dates different (NaN); those have a test of their own below.
    fc.date({ noInvalidDate: true }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }).map(bare),
  ),
})).value;

const event = fc.record({
  provider: fc.string(),
  id: fc.string(),
  type: fc.string(),
  data: eventValue,
  signedFields: fc.array(fc.string()),
  receivedAt: fc.date({ noInvalidDate: true }),
  envelope: eventValue,
});

describe('inbox event serialization', () => {
  test('round trip of the whole event: every own field, Dates, undefined fields and prototypes as they were', () => {
    fc.assert(
      fc.property(event, fc.dictionary(fc.string(), eventValue, { maxKeys: 3 }), (common, extra) => {
        const original = { ...extra, ...common };
        expect(isDeepStrictEqual(reviveEvent(serializeEvent(original)), original)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('an invalid Date in a field comes back as an invalid Date, not null nor a string', () => {
    const original = { provider: 'p', id: '1', type: 't', data: bare({ at: new Date(Number.NaN), list: [new Date(Number.NaN)] }), signedFields: [], receivedAt: new Date(5) };
    const revived = reviveEvent(serializeEvent(original)) as unknown as { data: { at: Date; list: Date[] } };
    for (const value of [revived.data.at, revived.data.list[0]]) {
      expect(value).toBeInstanceOf(Date);
      expect(Number.isNaN(value.getTime())).toBe(true);
    }
  });

  test('a field named like the format itself, "__proto__" keys and Date-looking strings are just data', () => {
    const data = bare({ format: 2, dates: [['receivedAt']], when: '2026-01-01T00:00:00.000Z', ['__proto__']: bare({ polluted: true }) });
    const original = { provider: 'p', id: '1', type: 't', data, signedFields: [], receivedAt: new Date(5), envelope: { at: new Date(7), gone: undefined } };
    const revived = reviveEvent(serializeEvent(original)) as typeof original;
    expect(isDeepStrictEqual(revived, original)).toBe(true);
    expect(Object.keys(revived.data)).toEqual(['format', 'dates', 'when', '__proto__']);
    expect(typeof revived.data.when).toBe('string');
    expect(Object.getPrototypeOf(revived.data)).toBeNull();
    expect(({} as any).polluted).toBeUndefined();
  });

  test('what JSON cannot carry is refused when stored, naming where it is, not lost', () => {
    const base = { provider: 'p', id: '1', type: 't', data: {}, signedFields: [], receivedAt: new Date() };
    expect(() => serializeEvent({ ...base, data: { amount: 10n } })).toThrow(UnstorableEventError);
    expect(() => serializeEvent({ ...base, data: { when: new Map() } })).toThrow(/instance of Map at data\.when/);
    expect(() => serializeEvent({ ...base, data: { f: () => 1 } })).toThrow(/a function at data\.f/);
    expect(() => serializeEvent({ ...base, data: { n: Number.POSITIVE_INFINITY } })).toThrow(UnstorableEventError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => serializeEvent({ ...base, data: cyclic })).toThrow(/a cycle at data\.self/);
  });

  test('entries stored by the earlier format (six fields, receivedAt an ISO string) are still read', () => {
    const event = reviveEvent('{"provider":"pay247","id":"MP1:2","type":"payout.succeeded","data":{"amount":"100.0000"},"signedFields":["amount"],"receivedAt":"2026-01-02T03:04:05.678Z"}');
    expect(event.receivedAt).toEqual(new Date('2026-01-02T03:04:05.678Z'));
    expect(event).toMatchObject({ provider: 'pay247', id: 'MP1:2', type: 'payout.succeeded', signedFields: ['amount'] });
    expect(Object.getPrototypeOf(event.data)).toBeNull();
    expect((event.data as Record<string, unknown>).amount).toBe('100.0000');
  });

  test('a "__proto__" key in stored text stays an own property and pollutes nothing', () => {
    const event = reviveEvent('{"provider":"p","id":"1","type":"t","data":{"__proto__":{"polluted":true}},"signedFields":[],"receivedAt":"2026-01-01T00:00:00Z"}');
    const data = event.data as Record<string, any>;
    expect(Object.getPrototypeOf(data)).toBeNull();
    expect(Object.keys(data)).toEqual(['__proto__']);
    expect(({} as any).polluted).toBeUndefined();
  });

  test('text this package did not write is refused', () => {
    expect(() => reviveEvent('{"id":"1"}')).toThrow(TypeError);
    expect(() => reviveEvent('{"provider":"p","id":"1","type":"t","receivedAt":"not a date"}')).toThrow(TypeError);
    expect(() => reviveEvent('{"format":2,"event":{"provider":"p"},"dates":[["nowhere","deep"]],"undefineds":[],"plainObjects":[]}')).toThrow(TypeError);
    expect(() => reviveEvent('{"format":2,"event":{"provider":"p","id":"1","type":"t","signedFields":[],"receivedAt":"x"},"dates":[],"undefineds":[],"plainObjects":[]}')).toThrow(
      TypeError,
    );
  });
});

test('-0 (which JSON.parse gives for "-0" in a body) comes back as -0, not 0', () => {
  const event = { provider: 'p', id: 'i', type: 't', signedFields: [], receivedAt: new Date(0), data: { a: -0, b: [0, -0], c: 0 } };
  const back = reviveEvent(serializeEvent(event as never)) as unknown as typeof event;
  expect(Object.is(back.data.a, -0)).toBe(true);
  expect(back.data.b.map((n) => Object.is(n, -0))).toEqual([false, true]);
  expect(Object.is(back.data.c, 0)).toBe(true);
});
