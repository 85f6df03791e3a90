import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** The built CLI (npm test builds first). */
export const BIN = join(__dirname, '..', '..', 'dist', 'cli', 'index.js');

export interface Run {
  /** The exit code; null when the run was killed for taking longer than `timeoutMs`. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI as a child process, EPW_SECRET cleared unless given. A run that
 * outlives `timeoutMs` is killed and resolves with code null: a hang is a
 * result to assert on, not a test timeout.
 */
export function runCli(args: readonly string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Run> {
  const { EPW_SECRET: _ignored, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...inherited, ...options.env }, timeout: options.timeoutMs ?? 0 }, (error, stdout, stderr) => {
      const killed = error !== null && (error as { killed?: boolean }).killed === true;
      resolve({ code: error === null ? 0 : killed ? null : Number((error as { code?: number }).code ?? 1), stdout, stderr });
    });
  });
}
