import { reviveEvent, serializeEvent } from '../../lib/inbox/serialize';

describe('inbox event serialization', () => {
  test('round trip: receivedAt a Date again, data exactly as sent, in null-prototype objects', () => {
    const receivedAt = new Date('2026-01-02T03:04:05.678Z');
    const data = Object.assign(Object.create(null), { amount: '100.0000', status: 2, nested: Object.assign(Object.create(null), { a: [1, '2'] }) });
    const text = serializeEvent({ provider: 'pay247', id: 'MP1:2', type: 'payout.succeeded', data, signedFields: ['amount', 'status'], receivedAt });
    expect(JSON.parse(text).receivedAt).toBe('2026-01-02T03:04:05.678Z');
    const event = reviveEvent(text);
    expect(event.receivedAt).toBeInstanceOf(Date);
    expect(event.receivedAt.getTime()).toBe(receivedAt.getTime());
    expect(event).toMatchObject({ provider: 'pay247', id: 'MP1:2', type: 'payout.succeeded', signedFields: ['amount', 'status'] });
    const revived = event.data as Record<string, any>;
    expect(revived.amount).toBe('100.0000');
    expect(Object.getPrototypeOf(revived)).toBeNull();
    expect(Object.getPrototypeOf(revived.nested)).toBeNull();
    expect(revived.nested.a).toEqual([1, '2']);
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
  });
});
