import type Redis from 'ioredis';
import { timerMs } from '../core/timer-ms';
import type { LuaScript } from './lua-script';

interface Call {
  script: LuaScript;
  keys: readonly string[];
  args: ReadonlyArray<string | number>;
  /** Date.now() by which the call must have its answer; after it, it fails and is not sent. */
  deadline: number;
  /** The error it gets when its deadline passes first, when not the batch's. */
  late: (() => Error) | undefined;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Sends the script calls made during one turn of the event loop together: the
 * client's socket is corked while they are issued, so they leave in one write
 * (and their replies come back in one read) instead of one of each per call.
 * On loopback a socket write costs more than a claim's whole script, and under
 * load many requests reach the dedup step in the same turn. Each call is still
 * an ordinary EVALSHA with its own reply, error and NOSCRIPT fallback; ioredis'
 * pipeline() would batch too, but its bookkeeping cost more CPU than it saved.
 * The wait is until the end of the current turn (setImmediate), not a timer.
 *
 * Deadlines are kept per batch: one timer, at the earliest deadline in it,
 * fails whatever of the batch is still unanswered (the calls of one turn have
 * deadlines within that turn of each other).
 */
export class ScriptBatch {
  private queue: Call[] = [];

  /** `late`: the error a call gets when its deadline passes first, for calls that bring none of their own. */
  constructor(
    private readonly client: Redis,
    private readonly late: () => Error = () => new Error('Redis did not answer in time.'),
  ) {}

  run(script: LuaScript, keys: readonly string[], args: ReadonlyArray<string | number>, deadline = Infinity, late?: () => Error): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.queue.push({ script, keys, args, deadline, late, resolve, reject }) === 1) setImmediate(() => this.flushSafely());
    });
  }

  private lateError(call: Call): Error {
    return (call.late ?? this.late)();
  }

  /** A client that throws where ioredis would reject fails its calls, never the process (this runs from setImmediate). */
  private flushSafely(): void {
    const calls = this.queue;
    try {
      this.flush();
    } catch (error) {
      for (const call of calls) call.reject(error);
    }
  }

  private flush(): void {
    const now = Date.now();
    const calls: Call[] = [];
    let earliest = Infinity;
    for (const call of this.queue) {
      // Never sent: its caller has been told it failed, so it must not take effect later.
      if (call.deadline <= now) call.reject(this.lateError(call));
      else {
        calls.push(call);
        earliest = Math.min(earliest, call.deadline);
      }
    }
    this.queue = [];
    if (calls.length === 0) return;

    let unanswered = calls.length;
    const timer = earliest === Infinity ? undefined : setTimeout(() => calls.forEach((call) => call.reject(this.lateError(call))), timerMs(earliest - now));
    // A promise settles once: after the timer, a late answer changes nothing.
    const answer = (call: Call, error: Error | null, value?: unknown) => {
      if (error === null) call.resolve(value);
      else call.reject(error);
      if (--unanswered === 0) clearTimeout(timer);
    };
    const send = (call: Call) =>
      call.script.run(this.client, call.keys, call.args).then(
        (value) => answer(call, null, value),
        (error: Error) => answer(call, error),
      );

    // Each call is sent as itself, with the socket corked meanwhile: one write for the batch,
    // and each call keeps its own reply, errors and NOSCRIPT fallback. (A Cluster client
    // has no single socket: its calls go one by one.)
    const socket = (this.client as { stream?: { cork?(): void; uncork?(): void } }).stream;
    socket?.cork?.();
    try {
      calls.forEach(send);
    } finally {
      socket?.uncork?.();
    }
  }
}
