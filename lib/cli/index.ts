#!/usr/bin/env node
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerInboxCommand } from './inbox';

/**
 * The `express-payment-webhooks` command. Each concern registers its own
 * subcommand (`inbox` here; more sit beside it), so this file stays the list.
 */
export function createProgram(): Command {
  const program = new Command('express-payment-webhooks')
    .description("Tools for express-payment-webhooks: the durable inbox's notifications.")
    .version(packageVersion());
  // Before any subcommand is added, so they inherit it: usage errors are thrown, and main() maps them to exit code 2.
  program.exitOverride();
  registerInboxCommand(program);
  return program;
}

/** Runs the CLI; resolves with the exit code: 0 done, 1 failed, 2 bad usage. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await createProgram().parseAsync([...argv]);
    return 0;
  } catch (error) {
    // Commander has already printed its message (or the help that was asked for).
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

function packageVersion(): string {
  // dist/cli/ and lib/cli/ both sit two levels below the package root.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(join(__dirname, '..', '..', 'package.json')) as { version: string }).version;
}

if (require.main === module) {
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
