#!/usr/bin/env node
'use strict';
// Where a server spends its CPU: a .cpuprofile (node --cpu-prof, or
// `npm run bench -- --profile`) as the functions with the most self time.
//   node bench/profile-summary.js <file.cpuprofile> [--top N]
const { readFileSync } = require('node:fs');
const path = require('node:path');

function summarizeProfile(file, { top = 20 } = {}) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const selfMicros = new Map();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    selfMicros.set(node, (selfMicros.get(node) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byFunction = new Map();
  const byPlace = new Map();
  let busy = 0;
  let idle = 0;
  for (const [node, micros] of selfMicros) {
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += micros;
      continue;
    }
    const where = url ? `${shorten(url)}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
    byPlace.set(place(url, functionName), (byPlace.get(place(url, functionName)) ?? 0) + micros);
    busy += micros;
  }
  const percent = (micros) => `${((100 * micros) / busy).toFixed(1).padStart(5)}%`;
  const places = [...byPlace].sort((a, b) => b[1] - a[1]).map(([name, micros]) => `${name} ${percent(micros).trim()}`);
  const rows = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `busy ${(busy / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s; shares of busy time below`,
    `by place: ${places.join(', ')}`,
    ...rows.map(([key, micros]) => `${percent(micros)}  ${key}`),
  ].join('\n');
}

/** Which package (or Node itself, or this package's dist/) a function belongs to. */
function place(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : 'native';
  if (url.startsWith('node:')) return 'node';
  const file = shorten(url);
  if (file.startsWith('dist/')) return 'this package';
  const scope = file.split('/');
  return file.startsWith('@') ? `${scope[0]}/${scope[1]}` : scope[0];
}

/** node_modules/<pkg>/… and dist/… instead of absolute file URLs. */
function shorten(url) {
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('node_modules/');
  if (modules !== -1) return file.slice(modules + 'node_modules/'.length);
  const root = path.join(__dirname, '..') + path.sep;
  return file.startsWith(root) ? file.slice(root.length) : file;
}

if (require.main === module) {
  const [file, flag, count] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/profile-summary.js <file.cpuprofile> [--top N]');
    process.exit(2);
  }
  console.log(summarizeProfile(file, { top: flag === '--top' ? Number(count) : 20 }));
}

module.exports = { summarizeProfile };
