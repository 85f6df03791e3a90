'use strict';
// The printed table (Markdown, so it can be pasted into the README as is).

const number = (value, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';

function spread(summary, digits) {
  return `${number(summary.median, digits)} (${number(summary.min, digits)}–${number(summary.max, digits)})`;
}

function httpTable(results) {
  const lines = [
    '| variant | req/s median (min–max) | p99 ms | server CPU µs/req | event-loop delay p99 ms | × baseline median (min–max) | target |',
    '|---|---:|---:|---:|---:|---:|---|',
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
    if (variant.targetVs !== undefined) {
      target = summary.ratioVs
        ? `${number(summary.ratioVs.median, 2)}× ${variant.targetVs.variant}, ≥ ${variant.targetVs.ratio.toFixed(2)} ${verdict}`
        : `≥ ${variant.targetVs.ratio.toFixed(2)}× ${variant.targetVs.variant} (not run)`;
    }
    if (!summary.valid) target = `INVALID: ${summary.problems.join('; ')}`;
    const cpu = number(summary.serverCpuMicrosPerRequest.median, 0);
    const loopDelay = number(summary.loopDelayP99Ms?.median, 1);
    lines.push(`| ${name} | ${spread(summary.rate, 0)} | ${number(summary.p99Ms.median, 1)} | ${cpu} | ${loopDelay} | ${ratio} | ${target} |`);
  }
  return lines.join('\n');
}

function httpHeader(results) {
  const { settings, machine } = results;
  return [
    `HTTP: ${settings.rounds} round(s) × ${settings.amount ? `${settings.amount} requests` : `${settings.durationS} s`} per variant, interleaved, ${settings.connections} connections, ` +
      `${settings.warmupS} s warm-up; servers on 127.0.0.1, each in its own process.`,
    `${machine.node}, ${machine.cpus} × ${machine.cpuModel}; load average ${machine.loadBefore.join(' ')} before, ${machine.loadAfter.join(' ')} after.`,
    pinningLine(settings.pinning),
  ].join('\n');
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
  // What "durable" meant for the Redis variants: the harness's redis-server (bench/harness/services.js).
  if (results.variants.some((variant) => variant.name.includes('redis') && variant.summary !== undefined)) {
    notes.push('- redis variants: redis-server with --appendonly no --save "" (no fsync): an inbox put is as durable as that Redis, i.e. in memory only');
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
