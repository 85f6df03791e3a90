import type { FlatFields } from '../body/fields';
import { WebhookError } from '../core/errors';
import type { WebhookEvent } from '../core/event';

/** The legacy payout status: an int in v2.0 JSON, a string in v1.0 forms. */
export type Pay247Status = 0 | 1 | 2 | 3 | '0' | '1' | '2' | '3';

/** One legacy payout notification's fields, exactly as Pay247 sent them. */
export interface Pay247Payout<S extends Pay247Status = Pay247Status> {
  mch_id: string;
  /** Pay247's order number. */
  order_no: string;
  /** Your order number. */
  out_order_no: string;
  bank_name: string;
  bank_code: string;
  bank_branch?: string;
  account_name: string;
  account_no: string;
  /** A decimal string such as "100.0000": never turn it into a float. */
  amount: string;
  fee: string;
  receipt?: string;
  status: S;
  resolved_timestamp: number | string;
  created_timestamp: number | string;
  /** The failure reason for status 3, "" otherwise. */
  remarks: string;
  sign: string;
}

/** A current-API payout's status. Its prose says only SUCCESS and FAIL are notified; all four are accepted. */
export type Pay247PayoutStatus = 'PENDING' | 'DEALING' | 'SUCCESS' | 'FAIL';

/** A current-API payin (collection) status. */
export type Pay247PayinStatus = 'PENDING' | 'DEALING' | 'CLOSED' | 'SUCCESS' | 'FAIL' | 'REFUND';

/** What the current API's payout and payin notifications share, exactly as sent. */
interface Pay247CurrentFields<S extends string> {
  mch_id: string;
  /** Your order number. */
  mch_order_no: string;
  /** Pay247's order number. */
  order_no: string;
  currency: string;
  /** A decimal string such as "100.11": never turn it into a float. */
  amount: string;
  fee: string;
  pay_method: string;
  status: S;
  /** The failure reason, "" otherwise. */
  error: string;
  sign: string;
}

/** A current-API payout notification. */
export interface Pay247CurrentPayout<S extends Pay247PayoutStatus = Pay247PayoutStatus> extends Pay247CurrentFields<S> {
  /** The payment voucher (a URL). */
  receipt?: string;
  /** Unix time in milliseconds; a number in JSON. */
  paid_at?: number | string;
}

/** A current-API payin (collection) notification. */
export interface Pay247Payin<S extends Pay247PayinStatus = Pay247PayinStatus> extends Pay247CurrentFields<S> {
  /** Unix time in milliseconds; a number in JSON. */
  paid_at: number | string;
}

type Pay247Event_<T extends string, D> = WebhookEvent<'pay247', T, D>;

/**
 * Every Pay247 notification. A payout `type` covers both formats: narrow
 * `data` further on its status (`event.data.status === 'SUCCESS'` is the
 * current API) or on `'mch_order_no' in event.data`.
 */
export type Pay247Event =
  | Pay247Event_<'payout.pending', Pay247Payout<0 | '0'>>
  | Pay247Event_<'payout.pending', Pay247CurrentPayout<'PENDING'>>
  | Pay247Event_<'payout.processing', Pay247Payout<1 | '1'>>
  | Pay247Event_<'payout.processing', Pay247CurrentPayout<'DEALING'>>
  | Pay247Event_<'payout.succeeded', Pay247Payout<2 | '2'>>
  | Pay247Event_<'payout.succeeded', Pay247CurrentPayout<'SUCCESS'>>
  | Pay247Event_<'payout.failed', Pay247Payout<3 | '3'>>
  | Pay247Event_<'payout.failed', Pay247CurrentPayout<'FAIL'>>
  | Pay247Event_<'payin.pending', Pay247Payin<'PENDING'>>
  | Pay247Event_<'payin.processing', Pay247Payin<'DEALING'>>
  | Pay247Event_<'payin.closed', Pay247Payin<'CLOSED'>>
  | Pay247Event_<'payin.succeeded', Pay247Payin<'SUCCESS'>>
  | Pay247Event_<'payin.failed', Pay247Payin<'FAIL'>>
  | Pay247Event_<'payin.refunded', Pay247Payin<'REFUND'>>;

export type Pay247EventType = Pay247Event['type'];

/** Which notifications a route takes: Pay247 posts payouts and payins to the notify_url of each request. */
export type Pay247Notification = 'payout' | 'payin';

/** One shape of notification: how it is recognised, checked and typed. */
interface Shape {
  /** In error messages. */
  name: string;
  required: readonly string[];
  /** Status as sent (String of it) → event type. */
  types: ReadonlyMap<string, Pay247EventType>;
  statusText: string;
  /** Kept apart in the dedup store from the other shapes of the same order_no and status. */
  idPrefix: string;
}

const LEGACY_PAYOUT: Shape = {
  name: 'legacy payout notification',
  required: ['mch_id', 'order_no', 'out_order_no', 'amount', 'status'],
  types: new Map([
    ['0', 'payout.pending'],
    ['1', 'payout.processing'],
    ['2', 'payout.succeeded'],
    ['3', 'payout.failed'],
  ]),
  statusText: 'status must be 0, 1, 2 or 3',
  // Today's keys, unchanged.
  idPrefix: '',
};

const CURRENT_REQUIRED = ['mch_id', 'mch_order_no', 'order_no', 'currency', 'amount', 'status'] as const;

const CURRENT_PAYOUT: Shape = {
  name: 'payout notification',
  required: CURRENT_REQUIRED,
  types: new Map([
    ['PENDING', 'payout.pending'],
    ['DEALING', 'payout.processing'],
    ['SUCCESS', 'payout.succeeded'],
    ['FAIL', 'payout.failed'],
  ]),
  statusText: 'status must be PENDING, DEALING, SUCCESS or FAIL',
  idPrefix: '',
};

const PAYIN: Shape = {
  name: 'payin notification',
  required: CURRENT_REQUIRED,
  types: new Map([
    ['PENDING', 'payin.pending'],
    ['DEALING', 'payin.processing'],
    ['CLOSED', 'payin.closed'],
    ['SUCCESS', 'payin.succeeded'],
    ['FAIL', 'payin.failed'],
    ['REFUND', 'payin.refunded'],
  ]),
  statusText: 'status must be PENDING, DEALING, CLOSED, SUCCESS, FAIL or REFUND',
  // Pay247 does not say payin and payout order numbers never meet: on a shared store they must not.
  idPrefix: 'payin:',
};

const DECIMAL = /^-?\d+(\.\d+)?$/;
const MILLISECONDS = /^\d{1,16}$/;

/**
 * The legacy payout names your order `out_order_no`; the current API names it
 * `mch_order_no`. Nothing else tells them apart reliably (both have `mch_id`,
 * `order_no`, `amount`, `fee`, `status`), and a body with both is neither.
 */
function shapeOf(data: FlatFields, route: Pay247Notification): Shape {
  const legacy = data.out_order_no !== undefined;
  const current = data.mch_order_no !== undefined;
  if (legacy && current) throw new WebhookError('BODY_INVALID', 'A notification has out_order_no (legacy payout) or mch_order_no (current API), not both.');
  if (legacy) {
    if (route === 'payin') {
      throw new WebhookError('BODY_INVALID', "This route takes payin notifications (option notification: 'payin'), and this is a legacy payout notification (out_order_no).");
    }
    return LEGACY_PAYOUT;
  }
  if (current) return route === 'payin' ? PAYIN : CURRENT_PAYOUT;
  throw new WebhookError('BODY_INVALID', 'mch_order_no is missing (out_order_no in a legacy payout notification).');
}

/** The event for a verified body on a route of `route`'s notifications; a 400 naming the problem otherwise. */
export function pay247EventOf(data: FlatFields, route: Pay247Notification): { id: string; type: Pay247EventType; data: Pay247Event['data'] } {
  const shape = shapeOf(data, route);
  for (const name of shape.required) {
    const value = data[name];
    if (value === undefined || value === null || value === '') throw new WebhookError('BODY_INVALID', `${name} is missing.`);
  }
  const status = data.status;
  // A legacy status is 0–3 as a number or a string; a current one is a word, so a string.
  const statusKey = typeof status === 'string' || (shape === LEGACY_PAYOUT && typeof status === 'number') ? String(status) : undefined;
  const type = statusKey === undefined ? undefined : shape.types.get(statusKey);
  if (type === undefined) throw new WebhookError('BODY_INVALID', `${shape.statusText} in a ${shape.name}.`);
  for (const money of ['amount', 'fee'] as const) {
    const value = data[money];
    if (value !== undefined && !(typeof value === 'string' && DECIMAL.test(value))) {
      throw new WebhookError('BODY_INVALID', `${money} must be a decimal string such as "100.0000".`);
    }
  }
  if (shape !== LEGACY_PAYOUT) {
    assertTextFields(data);
    assertMilliseconds(data.paid_at);
  }
  return { id: `${shape.idPrefix}${String(data.order_no)}:${statusKey}`, type, data: data as unknown as Pay247Event['data'] };
}

/** The current API's fields that are text (all but paid_at). */
const CURRENT_TEXT_FIELDS = ['mch_id', 'mch_order_no', 'order_no', 'currency', 'amount', 'fee', 'pay_method', 'receipt', 'status', 'error'] as const;

/**
 * The current API sends its documented fields as JSON strings. Signing writes
 * values as PHP does, so `true` signs as "1", `false` and null as "", 7 as
 * "7": any of them would verify in a string's place and reach the handler as
 * another type than the one signed. Refused.
 */
function assertTextFields(data: FlatFields): void {
  for (const name of CURRENT_TEXT_FIELDS) {
    const value = data[name];
    if (value !== undefined && value !== null && typeof value !== 'string') throw new WebhookError('BODY_INVALID', `${name} must be a string.`);
  }
}

/** paid_at, when given a value: a whole number of milliseconds, as a JSON number or (in a form) digits. */
function assertMilliseconds(value: FlatFields[string] | undefined): void {
  if (value === undefined || value === null || value === '') return;
  const ok = typeof value === 'number' ? Number.isSafeInteger(value) && value >= 0 : typeof value === 'string' && MILLISECONDS.test(value);
  if (!ok) throw new WebhookError('BODY_INVALID', 'paid_at must be a time in milliseconds, such as 1597124856123.');
}
