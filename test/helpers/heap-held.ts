import { spawnSync } from 'node:child_process';

/**
 * Bytes of heap still held once `run` has run, in a child process with
 * --expose-gc: `setup` (requires, constants) runs first, then a collection,
 * `run` in a block of its own, and two collections (a single one may leave
 * some strings for the next). What `run` leaves behind is what the code under
 * test kept. The child must print nothing to stderr.
 */
export function heapHeldAfter(setup: string, run: string, timeoutMs = 60_000): number {
  const script = `${setup}
    global.gc();
    const before = process.memoryUsage().heapUsed;
    { ${run} }
    global.gc();
    global.gc();
    console.log(process.memoryUsage().heapUsed - before);`;
  const child = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: timeoutMs });
  if (child.stderr !== '' || child.status !== 0) throw new Error(`the measuring child failed (status ${child.status}): ${child.stderr}`);
  const held = Number(child.stdout.trim());
  if (!Number.isFinite(held)) throw new Error(`the measuring child printed ${JSON.stringify(child.stdout)}, not a number of bytes`);
  return held;
}
