import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

/** Debian's Chromium; .ci/run installs it. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Like describeWithRedis: skipped with a message where Chromium is missing, a failure in CI. */
export function describeWithChromium(name: string, body: () => void): void {
  if (existsSync(CHROMIUM_PATH)) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      test('chromium is installed (required in CI)', () => {
        throw new Error(`${CHROMIUM_PATH} is missing; .ci/run installs it with apt-get install -y chromium.`);
      });
    });
    return;
  }
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED "${name}": ${CHROMIUM_PATH} is not installed (apt-get install -y chromium). CI runs these tests.`);
  describe.skip(name, body);
}

/** A headless Chromium with a fresh profile of its own, removed on close. */
export async function launchChromium(options: BrowserContextOptions = {}): Promise<BrowserContext & { dispose(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'epw-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: ARGS, ...options });
  return Object.assign(context, {
    async dispose() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  });
}

/**
 * Where screenshots go: docs/dashboard/ with UPDATE_SCREENSHOTS=1 (to commit
 * them), else a temporary directory removed by `dispose`, so a plain run
 * still takes them (the same code path) but changes no file.
 */
export function screenshotDir(): { dir: string; dispose(): void } {
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    const dir = join(__dirname, '..', '..', 'docs', 'dashboard');
    mkdirSync(dir, { recursive: true });
    return { dir, dispose: () => undefined };
  }
  const dir = mkdtempSync(join(tmpdir(), 'epw-dashboard-shots-'));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
