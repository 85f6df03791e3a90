'use strict';
// Times one micro-benchmark entry (see bench/micro.js): median ns per
// operation over batches, after a warm-up that also sizes the batches.

// Results go here so that the JIT cannot drop the work as unused.
let sink;

/** Median ns/op over batches sized to take about `batchMs` each, after a warm-up. */
async function measureOperation(entry, { batches, batchMs, quick }) {
  const prepared = entry.setup();
  const { op, prepare, check } = typeof prepared === 'function' ? { op: prepared } : prepared;
  if (prepare) await prepare();
  const runBatch = entry.async
    ? async (n) => {
        const start = process.hrtime.bigint();
        for (let i = 0; i < n; i++) sink = await op();
        return Number(process.hrtime.bigint() - start);
      }
    : async (n) => {
        const start = process.hrtime.bigint();
        for (let i = 0; i < n; i++) sink = op();
        return Number(process.hrtime.bigint() - start);
      };
  let iterations = 100;
  // Warm up (JIT) and find a batch size that takes about batchMs.
  for (let elapsed = 0; elapsed < batchMs * 1e6; iterations *= 2) elapsed = await runBatch(iterations);
  const perOp = [];
  for (let b = 0; b < batches; b++) perOp.push((await runBatch(iterations)) / iterations);
  perOp.sort((a, b) => a - b);
  const nsPerOp = perOp[perOp.length >> 1];
  const checked = check ? check() : { ok: true };
  const result = { name: entry.name, nsPerOp, iterationsPerBatch: iterations, batches };
  if (checked.note) result.note = checked.note;
  if (entry.target) {
    result.target = entry.target;
    // A quick run is too short to judge a time, but a broken bound still fails.
    result.pass = (quick || nsPerOp <= entry.target.maxNsPerOp) && checked.ok;
    if (quick) result.note = `quick run: time not judged${result.note ? `; ${result.note}` : ''}`;
  }
  return result;
}

module.exports = { measureOperation };
