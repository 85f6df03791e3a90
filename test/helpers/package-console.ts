/**
 * Every test file's setup (jest `setupFilesAfterEnv`): the package logs one
 * line per refusal to `console` by default, and the suites refuse thousands
 * of requests on purpose. Those lines are kept here instead of printed, for
 * the tests that assert them (`packageConsoleLines()`); anything else a test
 * or a library prints goes through as usual.
 */
type Level = 'info' | 'warn' | 'error';

export interface ConsoleLine {
  level: Level;
  line: string;
}

const PREFIX = 'express-payment-webhooks';
const store = globalThis as typeof globalThis & { __packageConsoleLines?: ConsoleLine[] };
store.__packageConsoleLines ??= [];

for (const level of ['info', 'warn', 'error'] as const) {
  const original = console[level];
  console[level] = function (this: Console, ...args: unknown[]) {
    if (typeof args[0] === 'string' && args[0].startsWith(PREFIX)) {
      store.__packageConsoleLines!.push({ level, line: args.map(String).join(' ') });
      return;
    }
    original.apply(this, args);
  };
}

if (typeof beforeEach === 'function') beforeEach(() => packageConsoleLines().splice(0));

/** What the package wrote to `console` during the current test. */
export function packageConsoleLines(): ConsoleLine[] {
  return store.__packageConsoleLines!;
}
