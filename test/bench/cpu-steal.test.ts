/** The benchmark's steal-time reading (bench/harness/cpu-steal.js): what share of a CPU the host took in a turn. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { cpuTicks, stealPercent } = require('../../bench/harness/cpu-steal');

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

test('reads every CPU of this machine where /proc/stat exists', () => {
  const ticks = cpuTicks();
  if (process.platform !== 'linux') return expect(ticks).toBeUndefined();
  expect(Object.keys(ticks)).toContain('cpu0');
  expect(ticks.cpu0.length).toBeGreaterThanOrEqual(8);
});
