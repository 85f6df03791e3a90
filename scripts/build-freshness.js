'use strict';
// Whether dist/ was built from the sources as they are now. The CLI, example
// and package tests run dist/, so a run after editing lib/ without a build
// would test the old code.
const fs = require('node:fs');
const path = require('node:path');

/** What the build reads: every file and folder (a deletion changes its folder) under these. */
const INPUTS = ['lib', 'scripts/write-esm-wrappers.js', 'tsconfig.json', 'tsconfig.build.json'];
/** Written last by the build (after tsc): if it is there, the whole build finished. */
const LAST_OUTPUT = 'dist/testing.d.mts';

function newestMtimeMs(entry) {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of fs.readdirSync(entry)) newest = Math.max(newest, newestMtimeMs(path.join(entry, name)));
  return newest;
}

/** undefined when the build in `root` (this package by default) is current, else why not. */
function staleReason(root = path.join(__dirname, '..')) {
  const output = path.join(root, LAST_OUTPUT);
  if (!fs.existsSync(output)) return `${LAST_OUTPUT} is missing`;
  const built = fs.statSync(output).mtimeMs;
  const changed = INPUTS.find((input) => newestMtimeMs(path.join(root, input)) > built);
  return changed === undefined ? undefined : `${changed} changed after the last build`;
}

module.exports = { staleReason };
