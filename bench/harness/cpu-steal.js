'use strict';
// Steal time: the share of a CPU the hypervisor gave to other guests while a
// turn ran. On a shared VM a server can run far slower in one turn than the
// next for that reason alone; the report shows it so a slow round can be told
// from a slow server. Linux only (/proc/stat); elsewhere nothing is measured.
const { readFileSync } = require('node:fs');

/** { cpuN: [user, nice, system, idle, iowait, irq, softirq, steal, ...] } in clock ticks, or undefined. */
function cpuTicks() {
  let text;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  const ticks = {};
  for (const line of text.split('\n')) {
    const match = /^(cpu\d+) (.*)$/.exec(line);
    if (match) ticks[match[1]] = match[2].trim().split(/\s+/).map(Number);
  }
  return ticks;
}

const STEAL = 7;

/** Percent of CPU `cpu`'s time between two readings that was stolen; undefined when unknown. */
function stealPercent(before, after, cpu) {
  const a = before?.[`cpu${cpu}`];
  const b = after?.[`cpu${cpu}`];
  if (a === undefined || b === undefined || a.length <= STEAL) return undefined;
  // Guest time (fields after steal) is already counted in user and nice.
  const total = b.slice(0, STEAL + 1).reduce((sum, value, i) => sum + value - a[i], 0);
  return total > 0 ? (100 * (b[STEAL] - a[STEAL])) / total : undefined;
}

module.exports = { cpuTicks, stealPercent };
