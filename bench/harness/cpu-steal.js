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

const IDLE = 3;
const IOWAIT = 4;
const STEAL = 7;
/** Clock ticks per second of /proc/stat (USER_HZ): 100 on every Linux build that matters; read once, only if asked. */
let ticksPerSecond;
function userHz() {
  if (ticksPerSecond === undefined) {
    const found = require('node:child_process').spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    ticksPerSecond = Number(found.stdout) > 0 ? Number(found.stdout) : 100;
  }
  return ticksPerSecond;
}

/** Each field's ticks on CPU `cpu` between two readings, and their sum up to steal; undefined when unknown or no time passed. */
function tickDeltas(before, after, cpu) {
  const a = before?.[`cpu${cpu}`];
  const b = after?.[`cpu${cpu}`];
  if (a === undefined || b === undefined || a.length <= STEAL) return undefined;
  const delta = (i) => b[i] - a[i];
  // Guest time (fields after steal) is already counted in user and nice.
  const total = b.slice(0, STEAL + 1).reduce((sum, _value, i) => sum + delta(i), 0);
  return total > 0 ? { delta, total } : undefined;
}

/** Percent of CPU `cpu`'s time between two readings that was stolen; undefined when unknown. */
function stealPercent(before, after, cpu) {
  const ticks = tickDeltas(before, after, cpu);
  return ticks === undefined ? undefined : (100 * ticks.delta(STEAL)) / ticks.total;
}

/**
 * Percent of CPU `cpu`'s time between two readings that went to work other than `ownMicros`
 * (the measured server's own CPU time over the same stretch): another variant's deferred work
 * (an inbox still delivering its backlog), a service, the kernel's. Undefined when unknown.
 * /proc/stat counts in ticks (10 ms at 100 Hz): over a turn of seconds that is a resolution of a few tenths of a percent.
 */
function othersPercent(before, after, cpu, ownMicros) {
  const ticks = tickDeltas(before, after, cpu);
  if (ticks === undefined) return undefined;
  const { delta, total } = ticks;
  const busyMicros = ((total - delta(IDLE) - delta(IOWAIT) - delta(STEAL)) * 1e6) / userHz();
  const elapsedMicros = (total * 1e6) / userHz();
  return Math.max(0, (100 * (busyMicros - ownMicros)) / elapsedMicros);
}

module.exports = { cpuTicks, stealPercent, othersPercent };
