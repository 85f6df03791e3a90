/**
 * The benchmark's readings of the servers' CPU (bench/harness/cpu-steal.js): what share of it the
 * host took in a turn, and what share went to work other than the measured server's.
 */
import { spawnSync } from 'node:child_process';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { cpuTicks, othersPercent, stealPercent } = require('../../bench/harness/cpu-steal');

// user nice system idle iowait irq softirq steal guest guest_nice
const before = { cpu0: [100, 0, 50, 800, 0, 0, 10, 40, 0, 0], cpu1: [10, 0, 10, 70, 0, 0, 0, 10, 0, 0] };

test('the stolen share of one CPU between two readings, guest time not counted twice', () => {
  // cpu1: 300 ticks pass (100 user, 50 system, 90 idle, 60 steal) and 80 guest ticks already inside user.
  const after = { ...before, cpu1: [110, 0, 60, 160, 0, 0, 0, 70, 80, 0] };
  expect(stealPercent(before, after, 1)).toBeCloseTo((100 * 60) / 300, 10);
  expect(stealPercent(before, { ...before, cpu1: [20, 0, 10, 160, 0, 0, 0, 10, 0, 0] }, 1)).toBe(0);
});

test('unknown when a CPU or a reading is missing, or no time passed', () => {
  expect(stealPercent(before, before, 1)).toBeUndefined();
  expect(stealPercent(before, before, 7)).toBeUndefined();
  expect(stealPercent(undefined, before, 0)).toBeUndefined();
  expect(stealPercent(before, { cpu1: [1, 2, 3] }, 1)).toBeUndefined();
});

test("the share of one CPU's time busy with work other than the measured server's own CPU time", () => {
  const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
  // cpu1: 300 ticks pass, 150 of them busy (100 user, 50 system), 90 idle, 60 stolen (neither counts as busy).
  const after = { ...before, cpu1: [110, 0, 60, 160, 0, 0, 0, 70, 0, 0] };
  const tick = 1e6 / hz;
  expect(othersPercent(before, after, 1, 120 * tick)).toBeCloseTo((100 * 30) / 300, 10);
  expect(othersPercent(before, after, 1, 150 * tick)).toBeCloseTo(0, 10);
  // The server's own time read a little past the ticks' window: never a negative share.
  expect(othersPercent(before, after, 1, 155 * tick)).toBe(0);
  expect(othersPercent(before, before, 1, 0)).toBeUndefined();
  expect(othersPercent(before, after, 7, 0)).toBeUndefined();
});

test('reads every CPU of this machine where /proc/stat exists', () => {
  const ticks = cpuTicks();
  if (process.platform !== 'linux') return expect(ticks).toBeUndefined();
  expect(Object.keys(ticks)).toContain('cpu0');
  expect(ticks.cpu0.length).toBeGreaterThanOrEqual(8);
});
