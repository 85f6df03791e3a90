import { InvalidArgumentError } from 'commander';

/** Argument parsers shared by the commands: each throws commander's InvalidArgumentError, a usage error (exit 2). */

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `5s`, `2m`, `12h`, `7d`. */
export function duration(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value.trim());
  if (match === null) throw new InvalidArgumentError('must be a number and a unit: ms, s, m, h or d (e.g. 7d)');
  return Number(match[1]) * UNITS[match[2]];
}

/** `5s,30s,2m`: delays in ms. */
export function durationList(value: string): number[] {
  const items = value.split(',');
  try {
    return items.map((item) => duration(item));
  } catch {
    throw new InvalidArgumentError('must be durations separated by commas, each a number and a unit: ms, s, m, h or d (e.g. 5s,30s,2m)');
  }
}
