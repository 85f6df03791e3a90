'use strict';
// The load generator: autocannon as a library, in the parent process.
const autocannon = require('autocannon');

/**
 * Builds `size` distinct request bodies for one variant and round. They are
 * made before the measurement so that signing them costs the load generator
 * nothing while it runs.
 */
function makePool(request, size, tag) {
  const pool = new Array(size);
  for (let i = 0; i < size; i++) {
    // A generator returns the body, or { body, headers } where the signature travels in headers (SGATE).
    const made = request.body(`${tag}${i}`);
    pool[i] = typeof made === 'string' || Buffer.isBuffer(made) ? { body: Buffer.from(made), headers: undefined } : { body: Buffer.from(made.body), headers: made.headers };
  }
  return pool;
}

/**
 * One run against a server, for `durationS` seconds or `amount` requests (at `overallRate` req/s when given). Each connection takes the next body of the
 * shared pool for every request, so no body is sent twice unless the pool
 * runs out (reported as `poolWrapped`).
 */
async function runLoad({ port, request, expectBody, pool, durationS, amount, connections, sampleIntervalMs, overallRate }) {
  let used = 0;
  const setupRequest = (req) => {
    const item = pool[used++ % pool.length];
    req.body = item.body;
    if (item.headers !== undefined) req.headers = { ...request.headers, ...item.headers };
    return req;
  };
  const template = () => ({ method: request.method, path: request.path, headers: { ...request.headers }, setupRequest });
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    // A fixed number of requests (smoke runs) or a fixed time.
    ...(amount ? { amount } : { duration: durationS }),
    // A fixed rate (the inbox scenarios) instead of as fast as the server answers.
    ...(overallRate ? { overallRate } : {}),
    sampleInt: sampleIntervalMs,
    requests: [template()],
    // autocannon shares one request object between connections, so each
    // connection's first request would be the same body: give each its own.
    setupClient: (client) => client.setRequests([template()]),
    verifyBody: (body) => body === expectBody,
  });
  const seconds = result.duration;
  return {
    rate: result.requests.total / seconds,
    // The best sampling interval: what a warmed-up server may sustain (sizes later pools).
    peakRate: (result.requests.max * 1000) / sampleIntervalMs,
    completed: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stat]) => [code, stat.count])),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max, mean: result.latency.average },
    seconds,
    bodiesUsed: used,
    poolSize: pool.length,
    poolWrapped: used > pool.length,
  };
}

/** Requests per second the probe of the other route sends: light, so it measures the app's answer time, not its capacity. */
const PROBE_RATE = 100;

/**
 * Starts a light, steady load (one connection, PROBE_RATE req/s) on another
 * route of the same app, to run while the webhook route is loaded; `stop()`
 * ends it and resolves with its latency and rate. A route that waits behind
 * the webhook path's work (a blocked event loop) shows it here.
 */
function startProbe({ port, path }) {
  const instance = autocannon({ url: `http://127.0.0.1:${port}`, connections: 1, overallRate: PROBE_RATE, duration: 3600, method: 'GET', path });
  const done = new Promise((resolve, reject) => {
    instance.once('done', resolve);
    instance.once('error', reject);
  });
  return {
    async stop() {
      instance.stop();
      const result = await done;
      return {
        rate: result.requests.total / result.duration,
        ok: result['2xx'],
        completed: result.requests.total,
        latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      };
    },
  };
}

module.exports = { makePool, runLoad, startProbe, PROBE_RATE };
