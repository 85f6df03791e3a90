'use strict';
// Jest's globalSetup: the CLI, example and package tests run dist/, so build
// it first when lib/ has changed since the last build. `npm test` has just
// built, so there this only checks.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { staleReason } = require('../scripts/build-freshness');

module.exports = function buildIfStale() {
  const reason = staleReason();
  if (reason === undefined) return;
  process.stderr.write(`\nglobalSetup: building dist/ (${reason})\n`);
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
  if (build.status !== 0) {
    throw new Error(`dist/ is out of date and \`npm run build\` failed, so the tests would run old code:\n${build.stdout}${build.stderr}`);
  }
  const after = staleReason();
  if (after !== undefined) throw new Error(`dist/ is still out of date after \`npm run build\`: ${after}`);
};
