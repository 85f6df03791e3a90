'use strict';
// A PostgreSQL for the Postgres variants: initdb and postgres on a free
// loopback port in a temporary directory, as the `postgres` system user when
// run as root (PostgreSQL refuses root). Mirrors test/helpers/postgres-server.ts.
const { spawn, spawnSync } = require('node:child_process');
const { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

function findBinDir() {
  const hasServer = (dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'postgres'));
  const configured = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (configured.status === 0 && hasServer(configured.stdout.trim())) return configured.stdout.trim();
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => hasServer(path.join(root, v, 'bin'))) : [];
  return versions.length === 0 ? undefined : path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

function postgresUser() {
  if (process.getuid?.() !== 0) return {};
  const id = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Resolves once it accepts connections (checked with pg itself). */
async function startPostgres(port) {
  const bin = findBinDir();
  if (bin === undefined) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql)');
  const user = postgresUser();
  const dir = mkdtempSync(path.join(tmpdir(), 'epw-bench-postgres-'));
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const initdb = spawnSync(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C'], { ...user, encoding: 'utf8' });
  if (initdb.status !== 0) throw new Error(`initdb failed: ${initdb.stderr}`);
  // synchronous_commit=off: commits are not waited onto disk, as the Redis variant runs without AOF.
  const args = ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'synchronous_commit=off'];
  const child = spawn(path.join(bin, 'postgres'), args, { ...user, stdio: 'ignore' });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const { Client } = require('pg');
  const deadline = Date.now() + 15_000;
  for (;;) {
    const client = new Client({ connectionString: url });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.end();
      break;
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`postgres did not start: ${error.message}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    value: { url },
    stop: () =>
      new Promise((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGINT');
      }),
  };
}

module.exports = { startPostgres };
