import type { AnyWebhookEvent } from '../core/event';

/**
 * How the inbox stores an event: the whole event, every own enumerable
 * field at every depth (a provider's `envelope` included), so the handler
 * gets from the inbox exactly what it gets without one. JSON alone loses
 * what sets events apart from JSON, so those places are listed by path
 * beside it: Dates, fields whose value is undefined, and objects with
 * Object.prototype (every other object is revived with a null prototype,
 * like the parsers' output).
 */
interface StoredEventV2 {
  format: 2;
  event: unknown;
  dates: Path[];
  undefineds: Path[];
  plainObjects: Path[];
  /** Where a number was -0 (JSON.parse gives it for "-0"; JSON.stringify writes 0). Absent when none. */
  negativeZeros?: Path[];
  /** The W3C traceparent of the span that stored it (OpenTelemetry), so its delivery can link back; never part of the event. */
  traceparent?: string;
}

type Path = Array<string | number>;

/** Thrown for an event that holds something JSON cannot carry (a function, a Map, a class instance…): put fails, the provider is not acked. */
export class UnstorableEventError extends TypeError {
  constructor(what: string, path: Path) {
    super(`The event cannot be stored in the inbox: ${what} at ${path.length === 0 ? 'its top' : path.join('.')}.`);
    this.name = 'UnstorableEventError';
  }
}

export function serializeEvent(event: AnyWebhookEvent, traceparent?: string): string {
  const stored: StoredEventV2 = { format: 2, event, dates: [], undefineds: [], plainObjects: [] };
  if (traceparent !== undefined) stored.traceparent = traceparent;
  listPlaces(event, [], stored, new Set());
  // JSON.stringify writes the event as JSON has it (a Date by its toJSON, -0 as 0); only a field
  // whose value is undefined would be left out, and it is written null to keep its place.
  return stored.undefineds.length === 0 ? JSON.stringify(stored) : JSON.stringify(stored, undefinedAsNull);
}

function undefinedAsNull(_key: string, value: unknown): unknown {
  return value === undefined ? null : value;
}

/**
 * Refuses what JSON cannot carry and lists, by path, what JSON.stringify
 * would lose (see StoredEventV2); the event itself is not copied. `path` is
 * one array, pushed and popped on the way down, copied only where something
 * is listed.
 */
function listPlaces(value: unknown, path: Path, stored: StoredEventV2, ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new UnstorableEventError('a number JSON cannot hold', path);
      if (Object.is(value, -0)) (stored.negativeZeros ??= []).push(path.slice());
      return;
    case 'undefined':
      stored.undefineds.push(path.slice());
      return;
    case 'object':
      break;
    default:
      throw new UnstorableEventError(`a ${typeof value}`, path);
  }
  if (value === null) return;
  if (value instanceof Date) {
    // Date.prototype.toJSON writes an invalid Date as null, a valid one as its ISO string.
    stored.dates.push(path.slice());
    return;
  }
  if (ancestors.has(value)) throw new UnstorableEventError('a cycle', path);
  ancestors.add(value);
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      path.push(index);
      listPlaces(value[index], path, stored, ancestors);
      path.pop();
    }
  } else {
    const prototype = Object.getPrototypeOf(value);
    if (prototype === Object.prototype) stored.plainObjects.push(path.slice());
    else if (prototype !== null) throw new UnstorableEventError(`an instance of ${String(prototype?.constructor?.name ?? 'a class')}`, path);
    for (const key of Object.keys(value)) {
      path.push(key);
      listPlaces((value as Record<string, unknown>)[key], path, stored, ancestors);
      path.pop();
    }
  }
  ancestors.delete(value);
}

/** The event as the handler first would have seen it (what serializeEvent stored, or an entry written by an earlier version). */
export function reviveEvent(text: string): AnyWebhookEvent {
  const stored = withoutPrototypes(JSON.parse(text)) as Record<string, unknown>;
  const event = stored.format === 2 ? reviveV2(stored as unknown as StoredEventV2) : reviveV1(stored);
  const { provider, id, type, signedFields, receivedAt } = (event ?? {}) as Partial<AnyWebhookEvent>;
  if (
    typeof provider !== 'string' ||
    typeof id !== 'string' ||
    typeof type !== 'string' ||
    !Array.isArray(signedFields) ||
    !(receivedAt instanceof Date) ||
    Number.isNaN(receivedAt.getTime())
  ) {
    throw new TypeError('The stored event is not one this package wrote.');
  }
  return event as AnyWebhookEvent;
}

function reviveV2(stored: StoredEventV2): unknown {
  const negativeZeros = stored.negativeZeros ?? [];
  if (!isPathList(stored.dates) || !isPathList(stored.undefineds) || !isPathList(stored.plainObjects) || !isPathList(negativeZeros)) {
    throw new TypeError('The stored event is not one this package wrote.');
  }
  const root = { event: stored.event };
  // Every place is found before any prototype changes, while each object on a path is still null-prototype.
  const dates = stored.dates.map((path) => place(root, path));
  const undefineds = stored.undefineds.map((path) => place(root, path));
  const zeros = negativeZeros.map((path) => place(root, path));
  const plain = stored.plainObjects.map((path) => at(root, ['event', ...path]));
  for (const [parent, key] of dates) {
    const value = parent[key];
    setOwn(parent, key, new Date(typeof value === 'string' ? value : Number.NaN));
  }
  for (const [parent, key] of undefineds) setOwn(parent, key, undefined);
  for (const [parent, key] of zeros) setOwn(parent, key, -0);
  for (const object of plain) {
    if (object === null || typeof object !== 'object' || Array.isArray(object)) throw new TypeError('The stored event is not one this package wrote.');
    Object.setPrototypeOf(object, Object.prototype);
  }
  return root.event;
}

/** The object holding the value at `path` (below the root's `event`), and its key there. */
function place(root: { event: unknown }, path: Path): [Record<string | number, unknown>, string | number] {
  const full: Path = ['event', ...path];
  const parent = at(root, full.slice(0, -1));
  if (parent === null || typeof parent !== 'object') throw new TypeError('The stored event is not one this package wrote.');
  return [parent as Record<string | number, unknown>, full[full.length - 1]];
}

function at(root: unknown, path: Path): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, key)) {
      throw new TypeError('The stored event is not one this package wrote.');
    }
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function setOwn(parent: Record<string | number, unknown>, key: string | number, value: unknown): void {
  Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPathList(value: unknown): value is Path[] {
  return Array.isArray(value) && value.every((path) => Array.isArray(path) && path.every((key) => typeof key === 'string' || typeof key === 'number'));
}

/** Entries stored before the whole event was kept: the six common fields, `receivedAt` as an ISO string. */
function reviveV1(stored: Record<string, unknown>): unknown {
  return {
    provider: stored.provider,
    id: stored.id,
    type: stored.type,
    data: stored.data,
    signedFields: Array.isArray(stored.signedFields) ? stored.signedFields : [],
    receivedAt: new Date(stored.receivedAt as string),
  };
}

/**
 * Every object of a fresh JSON.parse result gets a null prototype, in place
 * (arrays keep theirs). JSON.parse made "__proto__" an own property, and it
 * stays one: nothing reaches a prototype. In place, not copied key by key:
 * a copy per object cost more than the parse.
 */
function withoutPrototypes(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (const item of value) withoutPrototypes(item);
    return value;
  }
  // First, so that for-in sees own keys only.
  Object.setPrototypeOf(value, null);
  for (const key in value) withoutPrototypes((value as Record<string, unknown>)[key]);
  return value;
}

/** The traceparent a stored event was put with, if any (see serializeEvent). */
export function storedTraceparent(text: string): string | undefined {
  // Only the new format carries one; the cheap test spares a parse on every delivery without tracing.
  if (!text.includes('"traceparent"')) return undefined;
  try {
    const { traceparent } = JSON.parse(text) as { traceparent?: unknown };
    return typeof traceparent === 'string' ? traceparent : undefined;
  } catch {
    return undefined;
  }
}
