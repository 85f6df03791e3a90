/**
 * The benchmark is not a test, but its smoke mode is: `npm run bench -- --quick`
 * must still start every variant's server, load it, see every request answered
 * as expected, and write its JSON. No timing is asserted.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

test('npm run bench -- --quick runs every variant and the micro-benchmarks, and writes the results', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'epw-bench-test-'));
  try {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['bench/run.js', '--quick', '--results-dir', dir], { cwd: ROOT, timeout: 150_000 }, (error, out, err) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: out, stderr: err }),
      );
    });
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('| pay247-json |');

    const files = readdirSync(dir).filter((name) => name.startsWith('bench-') && name.endsWith('.json'));
    expect(files).toHaveLength(1);
    const results = JSON.parse(readFileSync(join(dir, files[0]), 'utf8'));
    // Pinned where taskset exists, and the reason recorded where not.
    expect(results.http.settings.pinning).toEqual(expect.objectContaining(process.platform === 'linux' ? {} : { reason: 'not Linux' }));
    expect(results.http.settings.pinning.serverCpu ?? results.http.settings.pinning.reason).toBeDefined();
    const measured = results.http.variants.filter((variant: any) => !variant.skipped);
    expect(measured.map((variant: any) => variant.name)).toEqual(expect.arrayContaining(['express-json', 'pay247-json', 'pay247-form', 'node-http']));
    for (const variant of measured) {
      expect({ name: variant.name, failed: variant.failed, problems: variant.summary.problems }).toEqual({ name: variant.name, failed: undefined, problems: [] });
      expect(variant.rounds[0].completed).toBeGreaterThan(0);
      // Every request reached the handler: each body was a new notification.
      expect(variant.rounds[0].handled).toBeGreaterThanOrEqual(variant.rounds[0].ok);
    }
    for (const variant of results.http.variants.filter((v: any) => v.skipped)) expect(variant.skipped).toMatch(/not in this build|not installed/);
    expect(results.micro.entries.length).toBeGreaterThanOrEqual(6);
    for (const entry of results.micro.entries) {
      expect(entry.nsPerOp).toBeGreaterThan(0);
      if (entry.target) expect({ name: entry.name, pass: entry.pass }).toEqual({ name: entry.name, pass: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 160_000);
