#!/usr/bin/env node
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { CliExit } from './exit';
import { registerInboxCommand } from './inbox';
import { registerSimulateCommand } from './simulate';

/**
 * The `express-payment-webhooks` command. Each concern registers its own
 * subcommand (`inbox` here; more sit beside it), so this file stays the list.
 */
export function createProgram(): Command {
  const program = new Command('express-payment-webhooks')
    .description("Tools for express-payment-webhooks: a provider simulator to test your endpoints, and the durable inbox's notifications.")
    .version(packageVersion());
  // Before any subcommand is added, so they inherit it: usage errors are thrown, and main() maps them to exit code 2.
  program.exitOverride();
  registerSimulateCommand(program);
  registerInboxCommand(program);
  program.addHelpText(
    'after',
    `
Examples:
  $ npx express-payment-webhooks simulate pay247 --url http://127.0.0.1:3000/notify/pay247 --secret "$PAY247_KEY"
  $ npx express-payment-webhooks simulate --help
  $ npx express-payment-webhooks inbox list --db ./webhooks-inbox.db`,
  );
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
    // The command has printed its outcome already.
    if (error instanceof CliExit) return error.exitCode;
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

function packageVersion(): string {
  // dist/cli/ and lib/cli/ both sit two levels below the package root.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(join(__dirname, '..', '..', 'package.json')) as { version: string }).version;
}

/**
 * Exits once stdout and stderr have handed over everything written. The
 * command has finished and closed what it opened, but a client library may
 * still hold a socket (ioredis ends a connection to a stalled server
 * gracefully, and waits for an answer that never comes): that must not keep
 * a finished command from exiting.
 */
function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

/** A reader that went away (`… | head`) ends the output, not with a crash trace. */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

if (require.main === module) {
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
  void main(process.argv).then(exitWhenFlushed);
}
