/**
 * isEventType narrows unions that have an open fallback; the type checks here
 * run in `npm run typecheck` (a broken narrowing fails the build).
 */
import { isEventType, type CardIssuingEvent, type SgateEvent } from '../../lib';

function sgateEvent(type: string, data: unknown): SgateEvent {
  return { provider: 'sgate', id: 'x', type, data, signedFields: [], receivedAt: new Date(), envelope: { event: type, data: {}, time: 1 } } as SgateEvent;
}

test('narrows to the named event, data included, and only when the type matches', () => {
  const event = sgateEvent('SALARY_STATUS_CHANGE', { ticketid: '1', custominfo: { cardno: 'x' } });
  expect(isEventType(event, 'CUSTOM_STATUS_CHANGE')).toBe(false);
  if (isEventType(event, 'SALARY_STATUS_CHANGE')) {
    const ticket: string = event.data.ticketid;
    const card: string = event.data.custominfo.cardno;
    expect([ticket, card]).toEqual(['1', 'x']);
  } else {
    throw new Error('expected a match');
  }
});

test('names outside the documented ones are a type error (they would narrow to never)', () => {
  const event = sgateEvent('SOMETHING_NEW', {});
  // @ts-expect-error not a documented SGATE event
  expect(isEventType(event, 'SOMETHING_NEW')).toBe(true);
  const card = { type: 'card.status.lost', data: { card_no: '4000' } } as CardIssuingEvent;
  // @ts-expect-error card-issuing types are lowercase, dotted
  isEventType(card, 'CARD_LOST');
  if (isEventType(card, 'card.status.lost')) {
    const pan: string = card.data.card_no;
    expect(pan).toBe('4000');
  }
});
