/**
 * A consumer project in a temporary folder with the package installed from
 * its packed tarball, as npm would install it, without the network: the
 * tarball is unpacked into node_modules, and what npm would install beside it
 * (its dependencies and required peers, as the packed package.json lists
 * them, plus what the consumer installs itself: Express and the TypeScript
 * types) is linked from this repo's
 * node_modules. The optional peers are left out, and the folder is outside
 * this repo so that node cannot find them by walking up either.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
/** The consumer's own: its server framework (Express, an optional peer) and its TypeScript types. */
const CONSUMER_OWN = ['express', '@types/node', '@types/express'];

export interface ConsumerProject {
  dir: string;
  tarball: string;
  /** Paths in the tarball, without the leading `package/`. */
  files: string[];
  packed: { dependencies?: Record<string, string>; peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }> };
  remove(): void;
}

/** Runs a command to its end; a failure's message carries what it printed (tsc's errors, say). */
export function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw Object.assign(new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`), { cause: error });
  }
}

/** `dist/` must be built already (jest's globalSetup does it); packing skips `prepack` so as not to build again. */
export function makeConsumerProject(): ConsumerProject {
  const dir = mkdtempSync(join(tmpdir(), 'epw-consumer-'));
  const [pack] = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], ROOT));
  const tarball = join(dir, pack.filename);
  const installed = join(dir, 'node_modules', 'express-payment-webhooks');
  mkdirSync(installed, { recursive: true });
  run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'], dir);
  const packed = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as ConsumerProject['packed'];
  const requiredPeers = Object.keys(packed.peerDependencies ?? {}).filter((name) => !packed.peerDependenciesMeta?.[name]?.optional);
  for (const name of [...Object.keys(packed.dependencies ?? {}), ...requiredPeers, ...CONSUMER_OWN]) {
    mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name), 'dir');
  }
  return {
    dir,
    tarball,
    files: pack.files.map((file: { path: string }) => file.path),
    packed,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
