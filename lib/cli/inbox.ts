import { Option, type Command } from 'commander';
import { DAY_MS } from '../core/durations';
import type { InboxEntry, InboxListOptions } from '../inbox/inbox';
import { withInbox, withSourceOptions, type SourceOptions } from './inbox-source';
import { durationUpTo, integerFrom, nonEmpty } from './parse';

/** `list --limit`: more than this is not a listing any more. */
const MAX_LIST = 1_000_000;
/** `purge --older-than`: 100 years; beyond it the cut-off would not be a date at all. */
const MAX_AGE_DAYS = 36_500;

/** `inbox list|show|replay|purge`: see pending and dead notifications, replay them once the cause is fixed. */
export function registerInboxCommand(program: Command): void {
  const inbox = program
    .command('inbox')
    .description('see and replay the notifications in a durable inbox (SqliteInbox --db, RedisInbox --redis)')
    .addHelpText(
      'after',
      `
Examples:
  $ express-payment-webhooks inbox list --db ./webhooks-inbox.db
  $ express-payment-webhooks inbox show pay247:MP123:2 --db ./webhooks-inbox.db
  $ express-payment-webhooks inbox replay --dead --redis redis://127.0.0.1:6379
  $ express-payment-webhooks inbox purge --older-than 7d --db ./webhooks-inbox.db`,
    );

  withSourceOptions(inbox.command('list'))
    .description('list entries, oldest first (default: pending and dead)')
    .addOption(new Option('--state <state>', 'which entries').choices(['pending', 'dead', 'done', 'all']))
    .option('--provider <name>', 'only this provider', nonEmpty)
    .option('--limit <n>', `at most this many, up to ${MAX_LIST} (default 100)`, integerFrom(1, MAX_LIST))
    .option('--json', 'one JSON object per line')
    .action(async (options: SourceOptions & InboxListOptions & { json?: boolean }, command: Command) => {
      const entries = await withInbox(command, options, (box) => box.list({ state: options.state, provider: options.provider, limit: options.limit }));
      if (options.json) for (const entry of entries) print(JSON.stringify(summary(entry)));
      else printTable(entries);
    });

  withSourceOptions(inbox.command('show'))
    .description('one entry in full, its attempts and event included, as JSON')
    .argument('<key>', 'the entry key, provider:eventId, as `list` shows it', nonEmpty)
    .action(async (key: string, options: SourceOptions, command: Command) => {
      const [entry, history] = await withInbox(command, options, (box) => Promise.all([box.get(key), box.history(key)]));
      if (entry === undefined) throw new Error(`no entry ${key}`);
      print(JSON.stringify({ ...summary(entry), history, event: entry.event }, null, 2));
    });

  withSourceOptions(inbox.command('replay'))
    .description('make dead (or pending) entries due now, attempts reset; a running app delivers them at its next poll')
    .argument('[keys...]', 'entry keys')
    .option('--dead', 'every dead entry')
    .action(async (keys: string[], options: SourceOptions & { dead?: boolean }, command: Command) => {
      if ((keys.length === 0) === !options.dead) command.error('error: give entry keys or --dead (one of them)', { exitCode: 2, code: 'epw.usage' });
      if (keys.some((key) => key.trim() === '')) command.error('error: an entry key must not be empty', { exitCode: 2, code: 'epw.usage' });
      const replayed = await withInbox(command, options, (box) => box.replay(options.dead ? 'dead' : keys));
      for (const key of replayed) print(`replayed ${key}`);
      const skipped = options.dead ? [] : keys.filter((key) => !replayed.includes(key));
      if (skipped.length > 0) throw new Error(`not replayed ${skipped.join(', ')}: no such entry, or already done`);
    });

  withSourceOptions(inbox.command('purge'))
    .description('delete done entries; dead ones only with --dead')
    .option('--dead', 'delete dead entries instead of done ones')
    .option('--older-than <age>', `only entries finished longer ago than this, e.g. 30m, 12h, 7d (up to ${MAX_AGE_DAYS}d)`, durationUpTo(MAX_AGE_DAYS * DAY_MS, `${MAX_AGE_DAYS}d`))
    .action(async (options: SourceOptions & { dead?: boolean; olderThan?: number }, command: Command) => {
      const finishedBefore = options.olderThan === undefined ? undefined : new Date(Date.now() - options.olderThan);
      const deleted = await withInbox(command, options, (box) => box.purge({ state: options.dead ? 'dead' : 'done', finishedBefore }));
      print(`purged ${deleted} ${options.dead ? 'dead' : 'done'} ${deleted === 1 ? 'entry' : 'entries'}`);
    });
}

function summary(entry: InboxEntry) {
  return {
    key: entry.key,
    provider: entry.provider,
    state: entry.state,
    attempts: entry.attempts,
    storedAt: entry.storedAt.toISOString(),
    nextAttemptAt: entry.nextAttemptAt?.toISOString(),
    finishedAt: entry.finishedAt?.toISOString(),
    lastError: entry.lastError,
  };
}

function printTable(entries: InboxEntry[]): void {
  if (entries.length === 0) {
    print('no entries');
    return;
  }
  const rows = entries.map((entry) => [
    entry.state,
    String(entry.attempts),
    entry.storedAt.toISOString(),
    (entry.nextAttemptAt ?? entry.finishedAt)?.toISOString() ?? '',
    entry.key,
    entry.lastError ?? '',
  ]);
  const header = ['STATE', 'ATTEMPTS', 'STORED', 'NEXT/FINISHED', 'KEY', 'LAST ERROR'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  for (const row of [header, ...rows]) print(row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  '));
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}
