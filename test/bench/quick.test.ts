/**
 * The benchmark is not a test, but its smoke mode is: `npm run bench --
 * --quick` must start a variant's server and the baseline's, have every
 * request answered as expected, pin the processes as documented, run the
 * micro-benchmarks' correctness checks, and write its JSON. One webhook
 * variant (the full Pay247 route) keeps it to seconds. No timing is asserted.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** What bench/harness/cpu-pinning.js must decide on this machine, found out here on its own. */
function expectedPinning(): object {
  if (process.platform !== 'linux') return { reason: 'not Linux' };
  if (cpus().length < 2) return { reason: 'a single CPU' };
  if (spawnSync('taskset', ['-p', String(process.pid)]).status !== 0) return { reason: 'taskset is not installed (util-linux)' };
  return { loadCpu: 0, serverCpu: cpus().length - 1 };
}

function bench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bench/run.js', ...args], { cwd: ROOT, timeout: 100_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('npm run bench -- --quick: every request answered as expected, processes pinned, micro checks pass, results written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'epw-bench-test-'));
  try {
    const { code, stdout, stderr } = await bench(['--quick', '--only', 'pay247-json', '--results-dir', dir]);
    // Progress goes to stderr: shown only when the run failed.
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('| pay247-json |');

    const files = readdirSync(dir).filter((name) => name.startsWith('bench-') && name.endsWith('.json'));
    expect(files).toHaveLength(1);
    const results = JSON.parse(readFileSync(join(dir, files[0]), 'utf8'));
    expect(results.http.settings).toMatchObject({ quick: true, rounds: 1, amount: 2000 });
    expect(results.http.settings.pinning).toEqual(expectedPinning());
    expect(results.http.variants.map((variant: { name: string }) => variant.name)).toEqual(['express-json', 'pay247-json']);
    for (const variant of results.http.variants) {
      const [round] = variant.rounds;
      expect({ name: variant.name, failed: variant.failed, problems: variant.summary.problems, rounds: variant.rounds.length }).toEqual({
        name: variant.name,
        failed: undefined,
        problems: [],
        rounds: 1,
      });
      // Each of the 2 000 requests got the expected answer, and each body was a new notification that reached the handler.
      expect({ name: variant.name, completed: round.completed, ok: round.ok, handled: round.handled }).toEqual({
        name: variant.name,
        completed: 2000,
        ok: 2000,
        handled: 2000,
      });
      expect({ errors: round.errors, timeouts: round.timeouts, mismatches: round.mismatches, non2xx: round.non2xx }).toEqual({ errors: 0, timeouts: 0, mismatches: 0, non2xx: 0 });
      // The host's steal time on the servers' CPU, read from /proc/stat around each turn when the servers are pinned.
      // And the share of that CPU that went to anything but the measured server.
      if ('serverCpu' in expectedPinning()) expect([round.serverCpuStealPercent, round.serverCpuOthersPercent]).toEqual([expect.any(Number), expect.any(Number)]);
      else expect([round.serverCpuStealPercent, round.serverCpuOthersPercent]).toEqual([undefined, undefined]);
    }
    if ('serverCpu' in expectedPinning()) {
      expect(stdout).toMatch(/Steal time on the servers' CPU .*: median \d+\.\d%, most \d+\.\d% \(/);
      expect(stdout).toMatch(/Other work on the servers' CPU .*: median \d+\.\d%, most \d+\.\d% \(/);
    }
    expect(results.micro.entries.length).toBeGreaterThanOrEqual(6);
    for (const entry of results.micro.entries) {
      expect(entry.nsPerOp).toBeGreaterThan(0);
      // A quick run does not judge time: pass is the entry's own correctness check.
      if (entry.target) expect({ name: entry.name, pass: entry.pass }).toEqual({ name: entry.name, pass: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 110_000);

test('an unknown variant name is refused before anything runs', async () => {
  const { code, stderr } = await bench(['--quick', '--only', 'no-such-variant', '--skip-micro', '--results-dir', join(tmpdir(), 'epw-bench-unused')]);
  expect({ code, stderr }).toEqual({ code: 1, stderr: expect.stringContaining('no-such-variant') });
});

test('the node:http listener next to its yardstick, the same checks glued by hand: both answer every request, and their ratio is printed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'epw-bench-test-'));
  try {
    const { code, stdout, stderr } = await bench(['--quick', '--only', 'pay247-json-node,pay247-checks-by-hand', '--skip-micro', '--results-dir', dir]);
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const [file] = readdirSync(dir).filter((name) => name.startsWith('bench-') && name.endsWith('.json'));
    const results = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const byName = new Map(results.http.variants.map((variant: { name: string }) => [variant.name, variant]));
    expect([...byName.keys()].sort()).toEqual(['express-json', 'node-http', 'pay247-checks-by-hand', 'pay247-json-node']);
    for (const name of ['pay247-json-node', 'pay247-checks-by-hand']) {
      const variant = byName.get(name) as { summary: { problems: string[] }; rounds: { completed: number; ok: number; handled: number }[] };
      expect({ name, problems: variant.summary.problems, ...variant.rounds[0] }).toMatchObject({ name, problems: [], completed: 2000, ok: 2000, handled: 2000 });
    }
    expect(stdout).toMatch(/- pay247-json-node: \d\.\d\d \(\d\.\d\d–\d\.\d\d\)× its yardstick pay247-checks-by-hand in req\/s/);
    // No target for the yardstick: its ratio to the ceiling is shown, never judged.
    expect(stdout).toMatch(/\| pay247-checks-by-hand \|.*× node-http \(no target\) \|/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 110_000);
