import { readFileSync } from 'node:fs';
import { Argument, Option, type Command } from 'commander';
import {
  buildProviderNotification,
  describeNotification,
  PROVIDER_SIDES,
  SIMULATOR_VARIANTS,
  SimulatorUsageError,
  simulateProvider,
  summarizeDeliveries,
  withRetrySchedule,
  type ProviderName,
  type ProviderSide,
  type SimulatedNotificationOptions,
  type SimulationOptions,
} from '../testing';
import { attemptLimit } from '../testing/deliver';
import { DAY_MS } from '../core/durations';
import { CliExit } from './exit';
import { durationListUpTo, durationUpTo, integerFrom, nonEmpty, numberFrom } from './parse';
import { formatMs, SimulationOutput, summaryLine } from './simulate-output';

/**
 * The ranges of the numeric options. Slower than 1/1000 of real time, or more
 * copies, attempts or retries than these, is no test a merchant runs; the
 * simulator itself waits correctly for any delay (see testing/sleep).
 */
const SPEED = { min: 0.001, max: 1_000_000 };
const MAX_ATTEMPTS = 1000;
const MAX_COPIES = 1000;
const MAX_RETRIES = 100;
const MAX_RETRY_DELAY_DAYS = 30;
const MAX_TIMEOUT_MS = 3_600_000;

/** What commander hands the action: the library's options where they are the same, file paths and CLI names where not. */
type SimulateOptions = Pick<SimulatedNotificationOptions, 'url' | 'secret' | 'apiKey' | 'tokenIn' | 'event' | 'status' | 'format' | 'type' | 'signIn'> &
  Pick<SimulationOptions, 'attempts' | 'duplicate' | 'concurrent'> &
  Required<Pick<SimulationOptions, 'speed'>> & {
    /** PEM files, read into privateKey and encryptFor. */
    privateKey?: string;
    merchantPublicKey?: string;
    /** A JSON file, read into data. */
    data?: string;
    schedule?: number[];
    /** requestTimeoutMs. */
    timeout?: number;
  };

const PROVIDERS = Object.keys(SIMULATOR_VARIANTS) as ProviderName[];

/** `simulate <provider>`: be the provider. The work is done by express-payment-webhooks/testing; this reads options and prints. */
export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description("be a payment provider: send your endpoint a realistic, signed notification, judge the answer as that provider does, and retry on its schedule until acknowledged")
    .addArgument(new Argument('<provider>', 'the provider to simulate').choices(PROVIDERS))
    .requiredOption('--url <url>', 'your notification endpoint, e.g. http://127.0.0.1:3000/notify/pay247', nonEmpty)
    .addOption(new Option('--secret <secret>', 'Pay247 key, card-issuing token, PingPong salt or crypto gateway key').env('EPW_SECRET').argParser(nonEmpty))
    .option('--private-key <pem-file>', 'SGATE: the private key to sign with (the pair of the publicKey your app is configured with)', nonEmpty)
    .option('--api-key <key>', 'SGATE: your merchant API key (sent as V-Api-Key)', nonEmpty)
    .option('--merchant-public-key <pem-file>', 'SGATE: encrypt the sensitive fields for this key, as SGATE does (default: plain text)', nonEmpty)
    .addOption(new Option('--token-in <where>', 'card-issuing: the token in the URL query, as registered, or the X-Webhook-Token header (default: query)').choices(['query', 'header']))
    .option('--event <name>', 'SGATE, card-issuing: the event (e.g. SALARY_STATUS_CHANGE, card.status.freeze)', nonEmpty)
    .option('--status <status>', 'Pay247 0-3, PingPong PASS|FAILED|PENDING|MODIFY, crypto gateway 1|2, SGATE data.status', nonEmpty)
    .addOption(new Option('--format <format>', 'Pay247 json|form, crypto gateway form|json|xml').choices(['json', 'form', 'xml']))
    .option('--type <type>', 'PingPong SM_KYC_REVIEW|SM_STORE_REVIEW, crypto gateway recharge|transfer', nonEmpty)
    .addOption(new Option('--sign-in <where>', 'crypto gateway: the sign header or a sign body field (default: as documented per type)').choices(['header', 'body']))
    .option('--data <json-file>', "a JSON object of your own fields, merged over the sample (SGATE: into data; card-issuing: into event_data)", nonEmpty)
    .option('--speed <factor>', `divide every retry delay by this, e.g. 100 (1: real time; ${SPEED.min} to ${SPEED.max})`, numberFrom(SPEED.min, SPEED.max), 1)
    .option('--attempts <n>', `stop after this many attempts, even if the schedule goes on (up to ${MAX_ATTEMPTS})`, integerFrom(1, MAX_ATTEMPTS))
    .option(
      '--schedule <delays>',
      `card-issuing, crypto gateway (a merchant setting there): the retry delays, e.g. 5s,30s,2m (up to ${MAX_RETRIES}, each up to ${MAX_RETRY_DELAY_DAYS}d)`,
      durationListUpTo(MAX_RETRY_DELAY_DAYS * DAY_MS, `${MAX_RETRY_DELAY_DAYS}d`, MAX_RETRIES),
    )
    .addOption(new Option('--duplicate <n>', `send the same notification n times, one delivery after the other (up to ${MAX_COPIES})`).argParser(integerFrom(1, MAX_COPIES)).conflicts('concurrent'))
    .addOption(new Option('--concurrent <n>', `send n copies of the same notification at once (up to ${MAX_COPIES})`).argParser(integerFrom(1, MAX_COPIES)))
    .option('--timeout <duration>', 'how long to wait for each answer (default 10s, up to 1h)', durationUpTo(MAX_TIMEOUT_MS, '1h'))
    .addHelpText('after', helpText())
    .action(async (provider: ProviderName, options: SimulateOptions, command: Command) => {
      const usage = (message: string): never => command.error(`error: ${message}`, { exitCode: 2, code: 'epw.usage' });
      try {
        await simulate(provider, options);
      } catch (error) {
        if (error instanceof SimulatorUsageError) usage(`${optionName(error.option)} ${error.reason}`);
        if (error instanceof UnreadableFile) usage(error.message);
        throw error;
      }
    });
}

async function simulate(provider: ProviderName, options: SimulateOptions): Promise<void> {
  const { url, notification } = buildProviderNotification(provider, notificationOptions(options));
  const side: ProviderSide = options.schedule ? withRetrySchedule(PROVIDER_SIDES[provider], options.schedule) : PROVIDER_SIDES[provider];
  const copies = options.duplicate ?? options.concurrent ?? 1;
  const maxAttempts = attemptLimit(side, options.attempts);
  const output = new SimulationOutput(process.stdout, { copies, maxAttempts, speed: options.speed });

  output.line(`${provider} → POST ${redact(url)} (${notification.headers['content-type']}, ${Buffer.byteLength(notification.body)} bytes)`);
  output.line(`  ${describeNotification(provider, notification.fields)}`);
  output.line(`  ${scheduleLine(side, maxAttempts, options.speed)}`);
  if (copies > 1) output.line(`  ${copies} copies, ${options.concurrent ? 'all at once' : 'one after the other'}`);

  output.start();
  // Said once, after the first attempt nobody answered: the usual cause is an app not started, or another port.
  let hinted = false;
  let report;
  try {
    report = await simulateProvider({
      url,
      notification,
      side,
      speed: options.speed,
      attempts: options.attempts,
      requestTimeoutMs: options.timeout,
      duplicate: options.duplicate,
      concurrent: options.concurrent,
      onAttempt: (copy, attempt, next) => {
        output.attempt(copy, attempt, next);
        if (attempt.error === 'ECONNREFUSED' && !hinted) {
          hinted = true;
          output.line(`  ECONNREFUSED: nothing accepted the connection. Is your app running at ${redact(url)}?`);
        }
      },
    });
  } finally {
    output.stop();
  }

  if (copies > 1) {
    output.line(summaryLine(summarizeDeliveries(report.deliveries), options.concurrent ? 'concurrent' : 'duplicate'));
  } else {
    const made = report.deliveries[0].attempts.length;
    if (report.acknowledged) output.line(`acknowledged after ${made} ${made === 1 ? 'attempt' : 'attempts'}`);
    else if (made < attemptLimit(side)) output.line(`not acknowledged: stopped after ${made} ${made === 1 ? 'attempt' : 'attempts'} (--attempts ${options.attempts})`);
    else output.line(`not acknowledged: ${provider} gives up after ${made} ${made === 1 ? 'attempt' : 'attempts'} (its schedule ran out)`);
  }
  if (!report.acknowledged) throw new CliExit(1);
}

function notificationOptions(options: SimulateOptions): SimulatedNotificationOptions {
  // Commander sets only the options given, so the rest spread in is exactly the choices made.
  const { privateKey, merchantPublicKey, data, speed, attempts, schedule, duplicate, concurrent, timeout, ...choices } = options;
  return {
    ...choices,
    privateKey: privateKey === undefined ? undefined : readText('--private-key', privateKey),
    encryptFor: merchantPublicKey === undefined ? undefined : readText('--merchant-public-key', merchantPublicKey),
    data: data === undefined ? undefined : readJson('--data', data),
  };
}

class UnreadableFile extends Error {}

function readText(option: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UnreadableFile(`${option}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function readJson(option: string, file: string): Record<string, unknown> {
  const text = readText(option, file);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UnreadableFile(`${option}: ${file} is not valid JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UnreadableFile(`${option}: ${file} must hold a JSON object`);
  return value as Record<string, unknown>;
}

function scheduleLine(side: ProviderSide, maxAttempts: number, speed: number): string {
  const delays = side.retryDelaysMs.slice(0, maxAttempts - 1);
  if (delays.length === 0) return 'no retries: 1 attempt';
  const source = side.scheduleSource === 'documented' ? 'documented' : 'a merchant setting: --schedule';
  const scaled = speed === 1 ? '' : `; at --speed ${speed}: ${delays.map((ms) => formatMs(ms / speed)).join(', ')}`;
  return `${maxAttempts} attempts at most; retries after ${delays.map(formatMs).join(', ')} (${source})${scaled}`;
}

/** The card-issuing token travels in the query: never print it. */
function redact(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('token')) return url;
  parsed.searchParams.set('token', '***');
  return parsed.toString();
}

function optionName(option: string): string {
  if (option === 'provider') return '<provider>';
  if (option === 'encryptFor') return '--merchant-public-key';
  return `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** One help line per provider, from PROVIDER_SIDES: its attempts and the delays between them. */
function scheduleRows(): string[] {
  return PROVIDERS.map((name) => {
    const side = PROVIDER_SIDES[name];
    const delays = delayRuns(side.retryDelaysMs).join(', ');
    if (side.scheduleSource === 'documented') return `  ${name.padEnd(15)} ${attemptLimit(side)} attempts, retries after ${delays}`;
    return `  ${name.padEnd(15)} ${attemptLimit(side)} attempts by default, retries after ${delays} (a merchant setting: --schedule)`;
  });
}

/** The delays, a run of three or more equal ones as "3 × 30 min". */
function delayRuns(delays: readonly number[]): string[] {
  const runs: string[] = [];
  for (let i = 0; i < delays.length; ) {
    let end = i + 1;
    while (end < delays.length && delays[end] === delays[i]) end++;
    const count = end - i;
    if (count >= 3) runs.push(`${count} × ${exactMs(delays[i])}`);
    else for (let k = i; k < end; k++) runs.push(exactMs(delays[k]));
    i = end;
  }
  return runs;
}

/** formatMs, or seconds where it would round (81 s, not "1.4 min"): it keeps one decimal of s, min or h. */
function exactMs(ms: number): string {
  const step = ms < 1000 ? 1 : ms < 60_000 ? 100 : ms < 3_600_000 ? 6_000 : 360_000;
  return ms % step === 0 ? formatMs(ms) : `${ms / 1000} s`;
}

function helpText(): string {
  const rows = PROVIDERS.map((name) => {
    const v = SIMULATOR_VARIANTS[name];
    const choices = [
      v.secret ? `--secret (${v.secret})` : '--private-key, --api-key, --merchant-public-key',
      v.events ? `--event (${v.events.length} documented; any name is sent)` : '',
      v.types ? `--type ${v.types.join('|')}` : '',
      v.statuses ? `--status ${v.statuses === 'integer' ? '<integer>' : v.statuses.join('|')}` : '',
      v.formats ? `--format ${v.formats.join('|')}` : '',
    ].filter(Boolean);
    return `  ${name.padEnd(15)} ${choices.join(', ')}\n  ${''.padEnd(15)} default: ${v.defaults}; --data goes into ${v.data}`;
  });
  return `
Providers and their choices:
${rows.join('\n')}

Retry schedules (before --speed):
${scheduleRows().join('\n')}

Exit status: 0 acknowledged (every copy), 1 not acknowledged when the schedule or --attempts ran out, 2 bad usage.

Examples (in your project, your app listening on port 3000; the secrets are your development ones):
  $ npx express-payment-webhooks simulate pay247 --url http://127.0.0.1:3000/notify/pay247 --secret "$PAY247_KEY"
  $ npx express-payment-webhooks simulate pay247 --url http://127.0.0.1:3000/notify/pay247 --secret "$PAY247_KEY" --format form --status 3 --speed 100
  $ npx express-payment-webhooks simulate card-issuing --url http://127.0.0.1:3000/notify/card-issuing --secret "$CARD_ISSUING_TOKEN" --event card.status.freeze
  $ npx express-payment-webhooks simulate pingpong-kyb --url http://127.0.0.1:3000/notify/pingpong-kyb --secret "$PINGPONG_SALT" --status PASS
  $ npx express-payment-webhooks simulate pay247 --url http://127.0.0.1:3000/notify/pay247 --secret "$PAY247_KEY" --concurrent 5
  $ EPW_SECRET="$PAY247_KEY" npx express-payment-webhooks simulate pay247 --url http://127.0.0.1:3000/notify/pay247 --duplicate 3
  Your own fields, from a file you write:
  $ echo '{"ordid":"ORDER-1"}' > crypto-fields.json
  $ npx express-payment-webhooks simulate crypto-gateway --url http://127.0.0.1:3000/notify/crypto --secret "$CRYPTO_GATEWAY_KEY" --format xml --type transfer --data crypto-fields.json
  SGATE signs with its private key, which you never get: make a test pair, give your app its public half
  (publicKey, in development only) and sign with the private half:
  $ openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sgate-test-key.pem
  $ openssl pkey -in sgate-test-key.pem -pubout -out sgate-test-key.pub.pem
  $ npx express-payment-webhooks simulate sgate --url http://127.0.0.1:3000/notify/sgate --private-key sgate-test-key.pem --api-key "$SGATE_API_KEY" --event SALARY_STATUS_CHANGE
`;
}
