'use strict';
// Starts, queries and stops the variants' server processes.
const { fork } = require('node:child_process');
const path = require('node:path');

const { pin } = require('./cpu-pinning');

const HOST = path.join(__dirname, 'server-process.js');

/**
 * Forks the server of one variant and resolves once it listens on loopback.
 * `profileDir`: run it under `node --cpu-prof`; the profiles are written when it stops, one per
 * thread (an inbox's SQLite thread has its own), in `profileDir/<variant>/`.
 * `cpu`: pin it (all its threads) to that CPU (bench/harness/cpu-pinning.js).
 */
function startServer(variant, services, { profileDir, cpu } = {}) {
  // No --cpu-prof-name: every thread would write that one file, the last one kept.
  const execArgv = profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(profileDir, variant.name)] : [];
  const options = { ...variant.server.options, services };
  const child = fork(HOST, [path.resolve(__dirname, '..', '..', variant.server.module), JSON.stringify(options)], {
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  if (cpu !== undefined) pin(child.pid, cpu);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${variant.name}: the server did not start within 15 s`)), 15_000);
    function fail(error) {
      clearTimeout(timer);
      child.kill();
      reject(error);
    }
    child.once('exit', (code) => fail(new Error(`${variant.name}: the server exited (code ${code}) before listening`)));
    child.on('message', function onMessage(message) {
      if (message.type === 'failed') fail(new Error(`${variant.name}: the server failed to start:\n${message.message}`));
      if (message.type !== 'listening') return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.off('message', onMessage);
      resolve(serverHandle(child, message.port));
    });
  });
}

function serverHandle(child, port) {
  return {
    port,
    /**
     * How many requests the variant's handler ran so far, the CPU time the process used, its
     * event-loop delay p99 since the last call (sampled only between a `turn` 'start' and 'end'),
     * its RSS, and the variant's own readings.
     */
    stats(turn) {
      return new Promise((resolve) => {
        child.on('message', function onMessage(message) {
          if (message.type !== 'stats') return;
          child.off('message', onMessage);
          const { type: _type, ...stats } = message;
          resolve(stats);
        });
        child.send({ type: 'stats', turn });
      });
    },
    stop() {
      if (child.exitCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'stop' });
      });
    },
  };
}

module.exports = { startServer };
