'use strict';
// The HTTP benchmark: every selected variant's server in its own process,
// measured in turns (A B C … then B C … A …) over several rounds, so drift in
// the machine's load hits every variant alike; each round's ratios are to the
// baseline measured in that same round.
const os = require('node:os');
const { startServer } = require('./children');
const { cpuTicks, othersPercent, stealPercent } = require('./cpu-steal');
const { makePool, runLoad, startProbe } = require('./load');
const { OTHER_ROUTE_PATH } = require('../servers/other-route');
const { startServices } = require('./services');
const { summarize } = require('./stats');

/** Requests per second assumed before a variant was measured (sizes its first pool). */
const FIRST_GUESS_RATE = 20_000;
/**
 * Pool headroom over the expected number of requests in a run: a warm-up
 * measures a cold server, and later rounds run faster (on a shared machine,
 * several times faster once its other load drops).
 */
const POOL_HEADROOM = 4;
/**
 * The least rate a pool is sized for. A server's warm-up can run far below
 * its later rounds (the Fetch bridge's first seconds: 770 req/s in a warm-up,
 * then 3,300 in the first round, past the headroom), and a pool that runs out
 * sends bodies twice, which voids the variant.
 */
const MIN_POOL_RATE = 5_000;
/** Bodies in a pool at most (~0.5 KB each), and for variants that may send the same bodies again. */
const MAX_POOL = 400_000;
const REUSED_POOL = 5_000;

async function runHttp(options) {
  const machine = { node: `Node ${process.version}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model.trim(), loadBefore: loadAverage() };
  const { baseline, selected, records } = selectVariants(options);
  const recordOf = (variant) => records[selected.indexOf(variant)];

  // A variant is skipped only when a service it needs cannot start (redis-server not installed).
  const services = await startServices(selected);
  for (const variant of selected) {
    const missing = (variant.services ?? []).filter((name) => services.unavailable[name] !== undefined);
    if (missing.length > 0) recordOf(variant).skipped = missing.map((name) => services.unavailable[name]).join('; ');
  }
  const servers = new Map();
  try {
    await startAll(selected.filter((variant) => !recordOf(variant).skipped), servers, recordOf, services.values, options);
    await runRounds(baseline, [...servers.keys()], servers, recordOf, options);
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
    await services.stop();
  }

  for (const [i, variant] of selected.entries()) {
    if (records[i].rounds.length > 0) records[i].summary = summarizeVariant(variant, records[i].rounds, options);
  }
  return {
    settings: {
      quick: options.quick,
      rounds: options.rounds,
      durationS: options.durationS,
      amount: options.amount,
      warmupS: options.warmupS,
      connections: options.connections,
      pinning: options.pinning ?? { reason: 'not asked' },
    },
    machine: { ...machine, loadAfter: loadAverage() },
    variants: records,
  };
}

/** The baseline, the variants `--only` keeps, and a record for each. */
function selectVariants(options) {
  const all = require('../variants');
  const baselines = all.filter((variant) => variant.role === 'baseline');
  if (baselines.length !== 1) throw new Error('bench/variants.js must have exactly one variant with role "baseline"');
  const unknown = (options.only ?? []).filter((name) => !all.some((variant) => variant.name === name));
  if (unknown.length > 0) throw new Error(`unknown variant(s): ${unknown.join(', ')}`);
  const asked = (variant) => !options.only || options.only.includes(variant.name);
  // A variant judged against another brings it along.
  const needed = new Set(all.filter(asked).map((variant) => variant.targetVs?.variant));
  const selected = all.filter((variant) => variant.role === 'baseline' || asked(variant) || needed.has(variant.name));
  const records = selected.map((variant) => ({
    name: variant.name,
    label: variant.label,
    role: variant.role,
    target: variant.target,
    targetVs: variant.targetVs,
    yardstickOf: variant.yardstickOf,
    skipped: undefined,
    rounds: [],
  }));
  return { baseline: baselines[0], selected, records };
}

/** Starts the servers together (each idles in its own process until measured); a failure fails only its variant. */
async function startAll(variants, servers, recordOf, serviceValues, options) {
  const started = await Promise.allSettled(
    variants.map((variant) => {
      // Servers mount their route where the variant's requests go, without the query (card-issuing's token rides in it).
      const server = { ...variant.server, options: { path: variant.request.path.split('?')[0], ...variant.server.options, workDir: options.workDir } };
      return startServer({ ...variant, server }, serviceValues, { profileDir: options.profileDir, cpu: options.pinning?.serverCpu });
    }),
  );
  for (const [i, outcome] of started.entries()) {
    const variant = variants[i];
    if (outcome.status === 'fulfilled') servers.set(variant, outcome.value);
    else if (variant.role === 'baseline') throw outcome.reason;
    else recordOf(variant).failed = outcome.reason.message;
  }
}

async function runRounds(baseline, measured, servers, recordOf, options) {
  const fastestSeen = new Map();
  const measure = async (variant, durationS, tag) => {
    const server = servers.get(variant);
    const rate = Math.max(fastestSeen.get(variant) ?? FIRST_GUESS_RATE, MIN_POOL_RATE);
    const expected = options.amount ?? Math.ceil(rate * durationS * POOL_HEADROOM);
    const size = variant.sameBodiesOk ? REUSED_POOL : Math.min(MAX_POOL, Math.max(500, expected + 2 * options.connections));
    const pool = makePool(variant.request, size, tag);
    const before = await server.stats('start');
    const ticksBefore = cpuTicks();
    // Only an Express app has the other route (bench/servers/other-route.js); the other servers are the webhook alone.
    const probe = variant.otherRoute === false ? undefined : startProbe({ port: server.port, path: OTHER_ROUTE_PATH });
    const run = await runLoad({
      port: server.port,
      request: variant.request,
      expectBody: variant.expectBody,
      pool,
      durationS,
      amount: options.amount,
      connections: options.connections,
      sampleIntervalMs: options.amount ? 100 : Math.min(1000, Math.max(100, (durationS * 1000) / 2)),
    });
    const ticksAfter = cpuTicks();
    run.otherRoute = probe === undefined ? undefined : await probe.stop();
    if (options.pinning?.serverCpu !== undefined) run.serverCpuStealPercent = stealPercent(ticksBefore, ticksAfter, options.pinning.serverCpu);
    const after = await server.stats('end');
    run.handled = after.handled - before.handled;
    // CPU per request is steadier than req/s on a shared machine: other load slows the
    // server's clock, not the work each request takes.
    run.serverCpuMicrosPerRequest = (after.cpuMicros - before.cpuMicros) / run.completed;
    if (options.pinning?.serverCpu !== undefined) run.serverCpuOthersPercent = othersPercent(ticksBefore, ticksAfter, options.pinning.serverCpu, after.cpuMicros - before.cpuMicros);
    // The stats call before the run reset the histogram: this is the run's own.
    run.loopDelayP99Ms = after.loopDelayP99Ms;
    fastestSeen.set(variant, Math.max(fastestSeen.get(variant) ?? 0, run.rate, run.peakRate));
    return run;
  };

  if (options.warmupS > 0) {
    for (const variant of measured) {
      process.stderr.write(`warm-up ${variant.name}\n`);
      await measure(variant, options.warmupS, `${variant.name}-warm-`);
    }
  }
  for (let round = 0; round < options.rounds; round++) {
    // Rotate the order each round so no variant always runs first or last.
    const order = measured.map((_, i) => measured[(i + round) % measured.length]);
    const runs = new Map();
    for (const variant of order) {
      const run = await measure(variant, options.durationS, `${variant.name}-r${round}-`);
      runs.set(variant, { round, ...run });
      process.stderr.write(`round ${round + 1}/${options.rounds} ${variant.name}: ${Math.round(run.rate)} req/s\n`);
    }
    for (const [variant, run] of runs) {
      const other = variant.targetVs && [...runs.keys()].find((candidate) => candidate.name === variant.targetVs.variant);
      const ratioVs = other ? { ratioVs: run.rate / runs.get(other).rate } : {};
      recordOf(variant).rounds.push({ ...run, ratio: run.rate / runs.get(baseline).rate, ...ratioVs });
    }
  }
}

function summarizeVariant(variant, rounds, options) {
  const problems = [];
  const total = (key) => rounds.reduce((sum, run) => sum + run[key], 0);
  if (total('errors') + total('timeouts') > 0) problems.push(`${total('errors')} errors, ${total('timeouts')} timeouts`);
  if (total('non2xx') > 0) problems.push(`${total('non2xx')} non-2xx answers`);
  if (total('mismatches') > 0) problems.push(`${total('mismatches')} answers other than "${variant.expectBody}"`);
  if (!variant.handledLater && rounds.some((run) => run.handled < run.ok)) problems.push('fewer handler runs than 2xx answers (duplicates were sent)');
  const ratio = summarize(rounds.map((run) => run.ratio));
  // A target relative to another variant is judged only when that variant ran too (see --only).
  const ratioVs = variant.targetVs && rounds.every((run) => run.ratioVs !== undefined) ? summarize(rounds.map((run) => run.ratioVs)) : undefined;
  let meetsTarget;
  if (!options.quick && variant.target !== undefined) meetsTarget = ratio.median >= variant.target;
  // A targetVs without a ratio is a comparison shown, not judged.
  if (!options.quick && ratioVs !== undefined && variant.targetVs.ratio !== undefined) meetsTarget = ratioVs.median >= variant.targetVs.ratio;
  return {
    rate: summarize(rounds.map((run) => run.rate)),
    p99Ms: summarize(rounds.map((run) => run.latencyMs.p99)),
    serverCpuMicrosPerRequest: summarize(rounds.map((run) => run.serverCpuMicrosPerRequest)),
    loopDelayP99Ms: summarize(rounds.map((run) => run.loopDelayP99Ms)),
    otherRouteP99Ms: variant.otherRoute === false ? undefined : summarize(rounds.map((run) => run.otherRoute.latencyMs.p99)),
    otherRouteRate: variant.otherRoute === false ? undefined : summarize(rounds.map((run) => run.otherRoute.rate)),
    ratio,
    ratioVs,
    meetsTarget,
    valid: problems.length === 0,
    problems,
    // Bodies sent twice in a round: harmless where nothing is deduplicated; where it is, the
    // handled check above has already caught any duplicate answered from the store.
    roundsWithReusedBodies: variant.sameBodiesOk ? 0 : rounds.filter((run) => run.poolWrapped).length,
  };
}

const loadAverage = () => os.loadavg().map((value) => value.toFixed(2));

module.exports = { runHttp };
