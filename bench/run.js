#!/usr/bin/env node
'use strict';
// `npm run bench`: the HTTP benchmark (bench/variants.js), then the
// micro-benchmarks (bench/micro.js). Needs `npm run build` first: it measures
// the built package, as merchants run it.
//
//   --quick              smoke run: one round of 2 000 requests per variant, no warm-up, quick micro-benchmarks
//   --rounds N           rounds of the interleaved variants (default 5)
//   --duration S         seconds per variant per round (default 5)
//   --warmup S           seconds of load per variant before the rounds (default 2)
//   --connections N      concurrent keep-alive connections (default 10)
//   --only a,b           only these variants (the baseline is always included)
//   --profile            run the servers under node --cpu-prof; prints their hottest functions
//   --no-pin             let the servers and the load generator share every core (default: the
//                        load generator and services on CPU 0, each server on the last CPU; Linux, taskset)
//   --skip-micro         HTTP only
//   --results-dir DIR    where the JSON goes (default bench/results)
//   --rate N             inbox-delivery's notifications per second (default 300)
// `--only` also takes the inbox scenarios, inbox-delivery and inbox-burst (bench/inbox-scenarios.js):
// they run only when named, after the HTTP variants named with them (none: no HTTP table).
const { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const { fork } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const ROOT = path.join(__dirname, '..');

function parseOptions() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'no-pin': { type: 'boolean', default: false },
      'skip-micro': { type: 'boolean', default: false },
      'results-dir': { type: 'string' },
      rate: { type: 'string' },
    },
  });
  const quick = values.quick;
  const numberOf = (name, fallback) => {
    if (values[name] === undefined) return fallback;
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number`);
    return value;
  };
  return {
    quick,
    rounds: Math.max(1, Math.floor(numberOf('rounds', quick ? 1 : 5))),
    durationS: numberOf('duration', 5),
    amount: quick ? 2000 : undefined,
    warmupS: numberOf('warmup', quick ? 0 : 2),
    connections: Math.max(1, Math.floor(numberOf('connections', 10))),
    only: values.only === undefined ? undefined : values.only.split(',').map((name) => name.trim()),
    rate: Math.max(1, numberOf('rate', 300)),
    profile: values.profile,
    pin: !values['no-pin'],
    skipMicro: values['skip-micro'],
    resultsDir: path.resolve(values['results-dir'] ?? path.join(__dirname, 'results')),
  };
}

async function main() {
  const options = parseOptions();
  if (!existsSync(path.join(ROOT, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first.');
  mkdirSync(options.resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const { runHttp } = require('./harness/http');
  const { httpTable, httpHeader, noteLines, microTable } = require('./harness/report');
  const { pinningPlan, pin } = require('./harness/cpu-pinning');

  const results = { startedAt: new Date().toISOString(), quick: options.quick };
  options.pinning = options.pin ? pinningPlan() : { reason: '--no-pin' };
  // The parent is the load generator; services it starts inherit its CPU.
  if (options.pinning.loadCpu !== undefined) pin(process.pid, options.pinning.loadCpu);
  let failed = false;
  const profileDir = options.profile ? path.join(options.resultsDir, `profiles-${stamp}`) : undefined;
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'epw-bench-'));
  const { runInboxScenarios, INBOX_SCENARIOS } = require('./inbox-scenarios');
  const scenarios = (options.only ?? []).filter((name) => INBOX_SCENARIOS.includes(name));
  const variants = options.only?.filter((name) => !scenarios.includes(name));
  try {
    if (scenarios.length === 0 || variants.length > 0) {
      results.http = await runHttp({ ...options, only: variants, profileDir, workDir });
      console.log(`\n${httpHeader(results.http)}\n\n${httpTable(results.http)}`);
      const notes = noteLines(results.http);
      if (notes.length > 0) console.log(`\n${notes.join('\n')}`);
      failed ||= results.http.variants.some((variant) => variant.failed || (variant.summary && !variant.summary.valid));
      if (profileDir) printProfiles(profileDir, results.http);
    }
    if (scenarios.length > 0) results.inbox = await runInboxScenarios(scenarios, { ...options, workDir });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }

  if (!options.skipMicro) {
    results.micro = await runMicroInChild(options.quick);
    console.log(`\n${microTable(results.micro)}`);
  }

  const file = path.join(options.resultsDir, `bench-${stamp}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nResults: ${path.relative(process.cwd(), file)}`);
  if (failed) {
    console.error('\nSome variants did not answer every request correctly (see above): their numbers do not count.');
    process.exitCode = 1;
  }
}

/** The micro-benchmarks run in a fresh process: no load-generator garbage in their heap. */
function runMicroInChild(quick) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'micro.js'), ['--report-to-parent', ...(quick ? ['--quick'] : [])], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let report;
    child.on('message', (message) => (report = message));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 && report ? resolve(report) : reject(new Error(`bench/micro.js exited with code ${code}`))));
  });
}

function printProfiles(profileDir, http) {
  const { summarizeProfile } = require('./profile-summary');
  console.log(`\nCPU profiles of the servers: ${path.relative(process.cwd(), profileDir)}/`);
  for (const variant of http.variants) {
    const dir = path.join(profileDir, variant.name);
    if (!existsSync(dir)) continue;
    // Node names them CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; thread 0 is the main thread.
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile')).sort()) {
      const thread = file.split('.')[4] === '0' ? 'main thread' : `worker thread ${file.split('.')[4]}`;
      console.log(`\n${variant.name} (${thread}): hottest functions by self time`);
      console.log(summarizeProfile(path.join(dir, file), { top: 12 }));
    }
  }
}

main().catch((error) => {
  console.error(`bench: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
});
