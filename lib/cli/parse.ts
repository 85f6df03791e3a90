import { InvalidArgumentError } from 'commander';

/**
 * Argument parsers shared by the commands. Each option has a range: a value
 * outside it throws commander's InvalidArgumentError, a usage error (exit 2),
 * so that no absurd value can reach the library and quietly mean something
 * else (an invalid date as "no bound", a timer overflow as "at once").
 */

/** A whole number from `min` to `max`, written in digits. */
export function integerFrom(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !(n >= min && n <= max)) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return n;
  };
}

/** A number from `min` to `max` (e.g. 0.5, 100). */
export function numberFrom(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !(n >= min && n <= max)) throw new InvalidArgumentError(`must be a number from ${min} to ${max}`);
    return n;
  };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `5s`, `2m`, `12h`, `7d`: a duration in ms, from 1 ms to `max`, written as `maxText`. */
export function durationUpTo(max: number, maxText: string): (value: string) => number {
  const reason = `must be a duration from 1ms to ${maxText}: a whole number and a unit, ms, s, m, h or d (e.g. 7d)`;
  return (value) => {
    const match = /^(\d+)(ms|s|m|h|d)$/.exec(value.trim());
    const ms = match === null ? NaN : Number(match[1]) * UNITS[match[2]];
    if (!(ms >= 1 && ms <= max)) throw new InvalidArgumentError(reason);
    return ms;
  };
}

/** `5s,30s,2m`: at most `maxItems` delays in ms, each as durationUpTo. */
export function durationListUpTo(max: number, maxText: string, maxItems: number): (value: string) => number[] {
  const one = durationUpTo(max, maxText);
  const reason = `must be up to ${maxItems} durations separated by commas, each from 1ms to ${maxText}: a whole number and a unit, ms, s, m, h or d (e.g. 5s,30s,2m)`;
  return (value) => {
    const items = value.split(',');
    if (items.length > maxItems) throw new InvalidArgumentError(reason);
    try {
      return items.map(one);
    } catch {
      throw new InvalidArgumentError(reason);
    }
  };
}

/** A value that must say something: an empty one would quietly mean "none" or "everything". */
export function nonEmpty(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('must not be empty');
  return value;
}
