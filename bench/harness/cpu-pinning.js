'use strict';
// Keeps the load generator and the server under test off each other's core.
// On a 2-core machine, unpinned, autocannon and the server fight for the same
// cores: the server's cost per request then shows only partly in requests/s,
// and which process the scheduler favours changes from second to second. With
// the parent (autocannon, and the services it starts, such as redis-server) on
// one core and every server on another, a server's requests/s is what its own
// CPU time per request allows, which is the thing the ratios are about.
const { spawnSync } = require('node:child_process');
const os = require('node:os');

/**
 * { loadCpu, serverCpu } when pinning is possible here, else { reason }.
 * Linux `taskset` (util-linux) and at least 2 CPUs are needed.
 */
function pinningPlan() {
  const cpus = os.cpus().length;
  if (process.platform !== 'linux') return { reason: 'not Linux' };
  if (cpus < 2) return { reason: 'a single CPU' };
  const found = spawnSync('taskset', ['-p', String(process.pid)], { encoding: 'utf8' });
  if (found.error || found.status !== 0) return { reason: 'taskset is not installed (util-linux)' };
  return { loadCpu: 0, serverCpu: cpus - 1 };
}

/** Every thread of process `pid`, and what it starts later, onto CPU `cpu`. */
function pin(pid, cpu) {
  const done = spawnSync('taskset', ['-a', '-c', '-p', String(cpu), String(pid)], { encoding: 'utf8' });
  if (done.error || done.status !== 0) throw new Error(`taskset could not pin process ${pid} to CPU ${cpu}: ${done.stderr || done.error}`);
}

module.exports = { pinningPlan, pin };
