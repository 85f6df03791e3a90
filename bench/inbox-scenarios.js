'use strict';
// The inbox under sustained load and under a burst (`npm run bench -- --only inbox-delivery,inbox-burst`):
//   inbox-delivery  a steady rate for 60 s (10 s with --quick), onEvent taking 5 ms, the inbox's default
//                   delivery concurrency: do deliveries keep up with acks, and does the backlog stay bounded?
//                   The acked, delivered and backlog counts are printed every 5 s.
//   inbox-burst     20 000 notifications sent within ~10 s (2 000/s, 50 connections; 2 000 with --quick), as
//                   providers' retries arrive after an outage: the server's RSS, every one acked, and every
//                   acked one delivered exactly once afterwards (counted by the handler).
// Each on SqliteInbox and on RedisInbox with a Redis that fsyncs every write (appendfsync always).
const { startServer } = require('./harness/children');
const { makePool, runLoad } = require('./harness/load');
const { startServices } = require('./harness/services');
const { pay247Requests } = require('./requests/pay247');

const SECRET = 'bench-pay247-key';
const BACKENDS = [
  { inbox: 'sqlite', services: [] },
  { inbox: 'redis-aof', services: ['redis-aof'] },
];
const SAMPLE_MS = 5000;
const DRAIN_TIMEOUT_MS = 180_000;

const SCENARIOS = {
  'inbox-delivery': runDelivery,
  'inbox-burst': runBurst,
};

async function runInboxScenarios(names, options) {
  const results = {};
  const services = await startServices(BACKENDS.map((backend) => ({ services: backend.services })));
  try {
    for (const name of names) {
      results[name] = [];
      for (const backend of BACKENDS) {
        if (backend.services.some((service) => services.unavailable[service])) {
          console.log(`\n${name} on ${backend.inbox}: skipped (${backend.services.map((s) => services.unavailable[s]).join('; ')})`);
          continue;
        }
        const server = await startServer(
          { name: `${name}-${backend.inbox}`, server: { module: 'bench/servers/inbox-scenario.js', options: { path: '/notify/pay247', secret: SECRET, inbox: backend.inbox, handlerMs: 5, workDir: options.workDir } } },
          services.values,
          { cpu: options.pinning?.serverCpu },
        );
        try {
          results[name].push({ inbox: backend.inbox, ...(await SCENARIOS[name](server, options, `${name} on ${backend.inbox}`)) });
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    await services.stop();
  }
  return results;
}

/** Samples the server every SAMPLE_MS while `load` runs, printing each sample. */
async function sampled(server, load, title, line) {
  const start = Date.now();
  const samples = [];
  let previous = await server.stats();
  const timer = setInterval(async () => {
    const now = await server.stats();
    const sample = { atS: Math.round((Date.now() - start) / 1000), ...now, previous };
    samples.push(sample);
    console.log(`  ${title} t=${sample.atS}s ${line(sample)}`);
    previous = now;
  }, SAMPLE_MS);
  try {
    return { run: await load, samples };
  } finally {
    clearInterval(timer);
  }
}

/** Waits until the handler has run every notification the server acked (or gives up after DRAIN_TIMEOUT_MS). */
async function drained(server) {
  const start = Date.now();
  for (;;) {
    const stats = await server.stats();
    if (stats.distinct >= stats.acked || Date.now() - start > DRAIN_TIMEOUT_MS) return { ...stats, drainS: (Date.now() - start) / 1000 };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function runDelivery(server, options, label) {
  const rate = options.rate;
  const durationS = options.quick ? 10 : 60;
  const request = pay247Requests({ secret: SECRET });
  const pool = makePool(request, Math.ceil(rate * durationS * 1.2) + 100, `delivery-${Date.now()}-`);
  console.log(`\n${label}: ${rate} notifications/s for ${durationS} s, onEvent 5 ms, default concurrency`);
  const started = await server.stats();
  const load = runLoad({ port: server.port, request, expectBody: 'SUCCESS', pool, durationS, connections: 10, overallRate: rate, sampleIntervalMs: 1000 });
  const { run, samples } = await sampled(server, load, 'inbox-delivery', (s) => {
    const delivered = s.handled - s.previous.handled;
    return `acked ${s.acked}, delivered ${s.handled - started.handled} (${Math.round(delivered / (SAMPLE_MS / 1000))}/s), backlog ${s.backlog}, RSS ${mb(s.rssBytes)} MB`;
  });
  const end = await server.stats();
  const after = await drained(server);
  const ackedPerS = run.ok / run.seconds;
  const deliveredPerS = (end.handled - started.handled) / run.seconds;
  const maxBacklog = Math.max(0, ...samples.map((s) => s.backlog));
  // Bounded: after the first 10 s (a cold server: JIT, the inbox's thread starting), never more
  // than a second's arrivals waiting (the handler and the poll keep a few in flight).
  const steadyBacklog = Math.max(0, ...samples.filter((s) => s.atS > 10).map((s) => s.backlog));
  const keepsUp = deliveredPerS >= 0.98 * ackedPerS && steadyBacklog <= rate;
  // The server counts its acks itself: autocannon does not count answers still in flight when it stops.
  // (One stored while its client hung up is delivered without an ack counted: more delivered than acked is fine.)
  const allDelivered = after.distinct >= after.acked;
  console.log(
    `  acked ${after.acked} (${ackedPerS.toFixed(0)}/s, ${run.non2xx} not acked), delivered ${end.handled - started.handled} during the load (${deliveredPerS.toFixed(0)}/s), ` +
      `max backlog ${maxBacklog} (${steadyBacklog} after the first 10 s), ${after.distinct} delivered in all (${after.drainS.toFixed(1)} s after the load), ${after.duplicates} twice: ${keepsUp && allDelivered && after.duplicates === 0 ? 'pass' : 'FAIL'}`,
  );
  return { rate, durationS, acked: after.acked, notAcked: run.non2xx, ackedPerS, deliveredPerS, maxBacklog, steadyBacklog, samples: samples.map(({ previous, ...s }) => s), distinct: after.distinct, duplicates: after.duplicates, keepsUp };
}

async function runBurst(server, options, label) {
  const count = options.quick ? 2000 : 20_000;
  const request = pay247Requests({ secret: SECRET });
  // More bodies than requests: autocannon may set up a few more than `amount`, and a body sent twice would be a duplicate, acked but not delivered again.
  const pool = makePool(request, count + 1000, `burst-${Date.now()}-`);
  console.log(`\n${label}: ${count} notifications at up to 2 000/s on 50 connections, onEvent 5 ms`);
  let maxRss = 0;
  const load = runLoad({ port: server.port, request, expectBody: 'SUCCESS', pool, amount: count, connections: 50, overallRate: 2000, sampleIntervalMs: 1000 });
  const { run, samples } = await sampled(server, load, 'inbox-burst', (s) => {
    maxRss = Math.max(maxRss, s.rssBytes);
    return `acked ${s.acked}, delivered ${s.distinct}, backlog ${s.backlog}, RSS ${mb(s.rssBytes)} MB`;
  });
  const after = await drained(server);
  maxRss = Math.max(maxRss, after.rssBytes);
  const lost = Math.max(0, after.acked - after.distinct);
  console.log(
    `  sent in ${run.seconds.toFixed(1)} s: ${after.acked} acked, ${run.non2xx} not acked (the provider retries those), ${run.errors + run.timeouts} errors; ` +
      `${after.distinct} delivered (${after.drainS.toFixed(1)} s after the last ack), ${lost} acked but not delivered, ${after.duplicates} delivered twice; max RSS ${mb(maxRss)} MB: ${lost === 0 && after.duplicates === 0 ? 'pass' : 'FAIL'}`,
  );
  return { count, seconds: run.seconds, acked: after.acked, notAcked: run.non2xx, errors: run.errors + run.timeouts, delivered: after.distinct, duplicates: after.duplicates, drainS: after.drainS, maxRssMb: maxRss / 2 ** 20, samples: samples.map(({ previous, ...s }) => s) };
}

const mb = (bytes) => (bytes / 2 ** 20).toFixed(0);

module.exports = { runInboxScenarios, INBOX_SCENARIOS: Object.keys(SCENARIOS) };
