'use strict';
// The child process that serves one variant. Each variant runs alone in its
// own process, so the load generator (the parent) never shares its event
// loop, and a CPU profile (--cpu-prof) shows only the server's work.
//
// argv: <server module path> <JSON options>. Talks to the parent over IPC:
// → { type: 'listening', port } once up; 'stats' → { type: 'stats', handled, cpuMicros, loopDelayP99Ms, rssBytes, ...the variant's own stats() }
// (the event loop's delay p99 since the previous 'stats': how long the app's other work waited).
// The delay is sampled only during the variant's own turn ('stats' with turn 'start' … turn 'end'):
// its sampling timer fires every millisecond, and thirty idle servers doing that would wake the
// servers' CPU 30,000 times a second while another variant is measured there.
// A 'stats' without a turn (the inbox scenarios' samples) neither starts nor stops it.
// 'stop' → closes, then exits (which is when --cpu-prof writes its profile).
const http = require('node:http');
const { monitorEventLoopDelay } = require('node:perf_hooks');

const [modulePath, optionsJson] = process.argv.slice(2);
const counters = { handled: 0 };

async function main() {
  const createServer = require(modulePath);
  // `handled` is called by the variant for every request it really handled
  // (its onEvent ran): the parent compares it with the 2xx answers to prove
  // that every request was a new notification, not a deduplicated one.
  const variant = await createServer(JSON.parse(optionsJson), { handled: () => counters.handled++ });
  const server = http.createServer(variant.listener);
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  server.listen(0, '127.0.0.1', () => process.send({ type: 'listening', port: server.address().port }));

  process.on('message', async (message) => {
    if (message.type === 'stats') {
      const cpu = process.cpuUsage();
      const loopDelayP99Ms = loopDelay.count > 0 ? loopDelay.percentile(99) / 1e6 : undefined;
      loopDelay.reset();
      if (message.turn === 'start') loopDelay.enable();
      if (message.turn === 'end') loopDelay.disable();
      // A variant may add readings of its own (an inbox scenario: its backlog, the handler's duplicates).
      const extra = typeof variant.stats === 'function' ? await variant.stats() : {};
      process.send({ type: 'stats', ...extra, handled: counters.handled, cpuMicros: cpu.user + cpu.system, loopDelayP99Ms, rssBytes: process.memoryUsage().rss });
    }
    if (message.type === 'stop') {
      server.closeAllConnections();
      server.close();
      if (variant.close) await variant.close();
      process.exit(0);
    }
  });
  // The parent died without saying stop: do not linger.
  process.on('disconnect', () => process.exit(0));
}

main().catch((error) => {
  process.send?.({ type: 'failed', message: String(error && error.stack ? error.stack : error) });
  process.exit(1);
});
