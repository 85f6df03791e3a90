'use strict';
// The printed table (Markdown, so it can be pasted into the README as is).
const { REDIS_PERSISTENCE } = require('./services');
const { summarize } = require('./stats');

const number = (value, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';

function spread(summary, digits) {
  return `${number(summary.median, digits)} (${number(summary.min, digits)}–${number(summary.max, digits)})`;
}

function httpTable(results) {
  const lines = [
    '| variant | req/s median (min–max) | p99 ms | server CPU µs/req | event-loop delay p99 ms | other route p99 ms (req/s) | × baseline median (min–max) | target |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const variant of results.variants) {
    if (variant.summary === undefined) continue;
    const { summary } = variant;
    const name = variant.role ? `${variant.name} (${variant.role})` : variant.name;
    const ratio = variant.role === 'baseline' ? '1.00' : spread(summary.ratio, 2);
    let target = '';
    // A smoke run is cold and short: its ratios say nothing about the targets.
    const verdict = results.settings.quick ? '(not judged: quick run)' : summary.meetsTarget ? 'pass' : 'FAIL';
    if (variant.target !== undefined) target = `≥ ${variant.target.toFixed(2)} ${verdict}`;
    if (variant.targetVs !== undefined && variant.targetVs.ratio === undefined) {
      target = summary.ratioVs ? `${spread(summary.ratioVs, 2)}× ${variant.targetVs.variant} (no target)` : '';
    } else if (variant.targetVs !== undefined) {
      target = summary.ratioVs
        ? `${number(summary.ratioVs.median, 2)}× ${variant.targetVs.variant}, ≥ ${variant.targetVs.ratio.toFixed(2)} ${verdict}`
        : `≥ ${variant.targetVs.ratio.toFixed(2)}× ${variant.targetVs.variant} (not run)`;
    }
    if (!summary.valid) target = `INVALID: ${summary.problems.join('; ')}`;
    const cpu = number(summary.serverCpuMicrosPerRequest.median, 0);
    const loopDelay = number(summary.loopDelayP99Ms?.median, 1);
    const otherRoute = summary.otherRouteP99Ms === undefined ? '–' : `${number(summary.otherRouteP99Ms.median, 1)} (${number(summary.otherRouteRate.median, 0)})`;
    lines.push(`| ${name} | ${spread(summary.rate, 0)} | ${number(summary.p99Ms.median, 1)} | ${cpu} | ${loopDelay} | ${otherRoute} | ${ratio} | ${target} |`);
  }
  return lines.join('\n');
}

/** How much longer the app's other work waits on an inbox variant than on the path it is judged against (target ≤ 2×). */
const LOOP_DELAY_TARGET = 2;

function loopDelayLines(results) {
  const byName = new Map(results.variants.map((variant) => [variant.name, variant]));
  return results.variants
    .filter((variant) => variant.name.includes('inbox') && variant.targetVs && variant.summary && byName.get(variant.targetVs.variant)?.summary)
    .map((variant) => {
      const own = variant.summary.loopDelayP99Ms.median;
      const reference = byName.get(variant.targetVs.variant).summary.loopDelayP99Ms.median;
      const times = own / reference;
      return `- ${variant.name}: event-loop delay p99 ${number(own, 1)} ms against ${number(reference, 1)} ms for ${variant.targetVs.variant} (${number(times, 2)}×, target ≤ ${LOOP_DELAY_TARGET}× ${times <= LOOP_DELAY_TARGET ? 'pass' : 'FAIL'})`;
    });
}

/**
 * A variant measured against a yardstick (`yardstickOf` in bench/variants.js): the ratio of
 * their requests/s round by round, median (min–max). Shown, not judged.
 */
function yardstickLines(results) {
  const byName = new Map(results.variants.map((variant) => [variant.name, variant]));
  const lines = [];
  for (const yardstick of results.variants) {
    const measured = byName.get(yardstick.yardstickOf);
    if (measured === undefined || yardstick.rounds.length === 0 || measured.rounds.length !== yardstick.rounds.length) continue;
    const ratio = summarize(measured.rounds.map((run, i) => run.rate / yardstick.rounds[i].rate));
    lines.push(
      `- ${measured.name}: ${spread(ratio, 2)}× its yardstick ${yardstick.name} in req/s, ` +
        `${number(measured.summary.serverCpuMicrosPerRequest.median, 0)} against ${number(yardstick.summary.serverCpuMicrosPerRequest.median, 0)} µs of server CPU per request`,
    );
  }
  return lines;
}

function httpHeader(results) {
  const { settings, machine } = results;
  return [
    `HTTP: ${settings.rounds} round(s) × ${settings.amount ? `${settings.amount} requests` : `${settings.durationS} s`} per variant, interleaved, ${settings.connections} connections, ` +
      `${settings.warmupS} s warm-up; servers on 127.0.0.1, each in its own process.`,
    `${machine.node}, ${machine.cpus} × ${machine.cpuModel}; load average ${machine.loadBefore.join(' ')} before, ${machine.loadAfter.join(' ')} after.`,
    pinningLine(settings.pinning),
    stealLine(results.variants),
    othersLine(results.variants),
  ]
    .filter((line) => line !== undefined)
    .join('\n');
}

/** The hypervisor's steal time on the servers' CPU over the measured turns: a round slowed by the host shows here, not only as a slow variant. */
const stealLine = (variants) => turnShareLine(variants, 'serverCpuStealPercent', "Steal time on the servers' CPU (taken by the host for other guests) during the turns");

/**
 * The servers' CPU busy with anything but the measured server during its turn (an idle server
 * waking, an inbox still delivering what it acked in its own turn): that work slows the measured
 * one and cools its caches, and shows here rather than only as a slow variant.
 */
const othersLine = (variants) => turnShareLine(variants, 'serverCpuOthersPercent', "Other work on the servers' CPU (not the measured server) during the turns");

function turnShareLine(variants, key, text) {
  const turns = variants.flatMap((variant) => variant.rounds.filter((run) => run[key] !== undefined).map((run) => ({ variant, run })));
  if (turns.length === 0) return undefined;
  const worst = turns.reduce((a, b) => (b.run[key] > a.run[key] ? b : a));
  const median = summarize(turns.map(({ run }) => run[key])).median;
  return `${text}: median ${number(median, 1)}%, most ${number(worst.run[key], 1)}% (${worst.variant.name}, round ${worst.run.round + 1}).`;
}

function pinningLine(pinning) {
  if (pinning === undefined || pinning.loadCpu === undefined) return `CPUs shared by the servers and the load generator (${pinning?.reason ?? 'not pinned'}).`;
  return `Load generator (and services such as redis-server) pinned to CPU ${pinning.loadCpu}, each server to CPU ${pinning.serverCpu}.`;
}

/** Variants not measured, and runs where a body had to be sent twice. */
function noteLines(results) {
  const notes = results.variants
    .filter((variant) => variant.skipped || variant.failed)
    .map((variant) => `- ${variant.name}: ${variant.skipped ? `skipped (${variant.skipped})` : `FAILED: ${variant.failed}`}`);
  notes.push(...loopDelayLines(results));
  notes.push(...yardstickLines(results));
  // What "durable" meant for the Redis variants: the harness's redis-server (bench/harness/services.js).
  if (results.variants.some((variant) => variant.name.includes('redis') && variant.summary !== undefined)) {
    notes.push(`- redis variants: redis-server --save "" ${REDIS_PERSISTENCE.redis.join(' ')} (nothing on disk: an inbox put there is in memory only)`);
    notes.push(`- *-redis-aof variants: redis-server --save "" ${REDIS_PERSISTENCE['redis-aof'].join(' ')} (every write fsynced to the AOF before Redis answers, as durable as SQLite's synchronous=FULL)`);
  }
  for (const variant of results.variants) {
    const reused = variant.summary?.roundsWithReusedBodies;
    if (reused) notes.push(`- ${variant.name}: the body pool ran out in ${reused} round(s), so some bodies were sent twice`);
  }
  return notes;
}

function microTable(micro) {
  const lines = ['| micro-benchmark | per op | target |', '|---|---:|---|'];
  for (const entry of micro.entries) {
    const perOp = entry.nsPerOp >= 1000 ? `${number(entry.nsPerOp / 1000, 2)} µs` : `${number(entry.nsPerOp, 0)} ns`;
    const target = entry.target === undefined ? '' : `${entry.target.text} ${entry.pass ? 'pass' : 'FAIL'}`;
    lines.push(`| ${entry.name} | ${perOp} | ${target}${entry.note ? ` (${entry.note})` : ''} |`);
  }
  return lines.join('\n');
}

module.exports = { httpTable, httpHeader, noteLines, microTable };
