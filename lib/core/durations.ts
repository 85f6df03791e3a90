/** One day in milliseconds. */
export const DAY_MS = 24 * 60 * 60 * 1000;

/** Validates an optional duration option: `fallback` when undefined, else a finite number above 0. */
export function positiveMs(where: string, name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${where}: ${name} must be a positive number of milliseconds.`);
  }
  return value;
}
