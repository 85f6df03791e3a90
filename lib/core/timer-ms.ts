/** The longest delay Node's timers take: a longer one fires at once (with a warning), so a huge duration option would mean "now". */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A duration option as a timer delay: capped at about 24.8 days, which for every duration the package times means "practically never". */
export function timerMs(ms: number): number {
  return Math.min(ms, MAX_TIMER_MS);
}
