import { describeAnswer, type Attempt, type DeliverySummary } from '../testing';

/**
 * What `simulate` prints: one line per attempt, and on a terminal a status
 * line below them that shows the wait for the next retry. When stdout is not
 * a terminal (a pipe, a file, CI), only the plain lines are written.
 */
export class SimulationOutput {
  private readonly copies: CopyState[];
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly plan: { copies: number; maxAttempts: number; speed: number },
  ) {
    this.copies = Array.from({ length: plan.copies }, () => ({ attempts: 0, waitUntil: undefined, waitMs: 0, finished: false }));
  }

  private get live(): boolean {
    return this.out.isTTY === true;
  }

  start(): void {
    if (!this.live) return;
    this.timer = setInterval(() => this.render(), 100);
    this.timer.unref();
    this.render();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.live) this.out.write('\r\x1b[2K');
  }

  line(text: string): void {
    if (this.live) this.out.write('\r\x1b[2K');
    this.out.write(`${text}\n`);
    if (this.timer !== undefined) this.render();
  }

  attempt(copy: number, attempt: Attempt, nextDelayMs: number | undefined): void {
    const state = this.copies[copy - 1];
    state.attempts = attempt.attempt;
    state.finished = nextDelayMs === undefined;
    state.waitMs = nextDelayMs ?? 0;
    state.waitUntil = nextDelayMs === undefined ? undefined : Date.now() + nextDelayMs;
    const who = this.plan.copies > 1 ? `#${copy} ` : '';
    const verdict = attempt.acknowledged ? 'acknowledged' : 'not acknowledged';
    const next = nextDelayMs === undefined ? '' : `, next retry in ${this.delay(nextDelayMs)}`;
    this.line(`${clock(attempt.at)}  ${who}attempt ${attempt.attempt}/${this.plan.maxAttempts}  ${describeAnswer(attempt)}  ${verdict}${next}`);
  }

  /** "30 ms", or "30 ms (3 s at --speed 100)" when the schedule is scaled. */
  private delay(ms: number): string {
    return this.plan.speed === 1 ? formatMs(ms) : `${formatMs(ms)} (${formatMs(ms * this.plan.speed)} at --speed ${this.plan.speed})`;
  }

  private render(): void {
    const status = this.plan.copies === 1 ? this.single(this.copies[0]) : this.several();
    const width = Math.max(20, (this.out.columns || 80) - 1);
    this.out.write(`\r\x1b[2K${status.slice(0, width)}`);
    this.frame++;
  }

  private single(state: CopyState): string {
    if (state.finished) return '';
    const now = Date.now();
    if (state.waitUntil !== undefined && state.waitUntil > now) {
      const left = state.waitUntil - now;
      const done = Math.min(1, Math.max(0, 1 - left / Math.max(1, state.waitMs)));
      const filled = Math.round(done * 20);
      return `[${'#'.repeat(filled)}${'-'.repeat(20 - filled)}] attempt ${state.attempts + 1}/${this.plan.maxAttempts} in ${formatMs(left)}`;
    }
    return `${SPINNER[this.frame % SPINNER.length]} sending attempt ${state.attempts + 1}/${this.plan.maxAttempts}…`;
  }

  private several(): string {
    const now = Date.now();
    const finished = this.copies.filter((state) => state.finished).length;
    const waiting = this.copies.filter((state) => !state.finished && state.waitUntil !== undefined && state.waitUntil > now);
    const sending = this.copies.length - finished - waiting.length;
    const parts = [`${SPINNER[this.frame % SPINNER.length]} ${this.copies.length} copies: ${finished} finished`];
    if (sending > 0) parts.push(`${sending} sending`);
    if (waiting.length > 0) parts.push(`${waiting.length} waiting (next retry in ${formatMs(Math.min(...waiting.map((state) => state.waitUntil! - now)))})`);
    return parts.join(', ');
  }
}

interface CopyState {
  /** Attempts made so far. */
  attempts: number;
  waitUntil: number | undefined;
  waitMs: number;
  finished: boolean;
}

const SPINNER = ['|', '/', '-', '\\'];

/** "2 copies one after the other; first answers: 200 "SUCCESS" ×2; acknowledged 2 of 2". */
export function summaryLine(summary: DeliverySummary, mode: 'duplicate' | 'concurrent'): string {
  const how = mode === 'duplicate' ? 'one after the other' : 'at once';
  const answers = summary.firstAnswers.map(({ answer, count }) => `${answer} ×${count}`).join(', ');
  return `summary: ${summary.copies} copies ${how}; first answers: ${answers}; acknowledged ${summary.acknowledged} of ${summary.copies} (attempts: ${summary.attempts.join(', ')})`;
}

/** 12:00:01.234, local time. */
export function clock(at: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}.${pad(at.getMilliseconds(), 3)}`;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${trim(ms / 1000)} s`;
  if (ms < 3_600_000) return `${trim(ms / 60_000)} min`;
  return `${trim(ms / 3_600_000)} h`;
}

function trim(n: number): string {
  return String(Math.round(n * 10) / 10);
}
