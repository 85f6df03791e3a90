import type Redis from 'ioredis';
import type { LuaScript } from './lua-script';

interface Call {
  script: LuaScript;
  keys: readonly string[];
  args: ReadonlyArray<string | number>;
  /** Date.now() after which the call is not sent: its caller has been told it failed. */
  deadline: number;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Sends the script calls made during one turn of the event loop as one
 * pipeline: one write to Redis and one read back instead of one of each per
 * call. On loopback a socket write costs more than a claim's whole script, and
 * under load many requests reach the dedup step in the same turn, so this is
 * the difference between a Redis store that keeps up and one that does not.
 * The wait is until the end of the current turn (setImmediate), not a timer.
 */
export class ScriptBatch {
  private queue: Call[] = [];

  constructor(private readonly client: Redis) {}

  run(script: LuaScript, keys: readonly string[], args: ReadonlyArray<string | number>, deadline = Infinity): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.queue.push({ script, keys, args, deadline, resolve, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const now = Date.now();
    const calls: Call[] = [];
    for (const call of this.queue) {
      if (call.deadline > now) calls.push(call);
      else call.reject(new Error('Redis call not sent: its deadline passed before the batch left.'));
    }
    this.queue = [];
    if (calls.length === 0) return;
    if (calls.length === 1) {
      const [call] = calls;
      call.script.run(this.client, call.keys, call.args).then(call.resolve, call.reject);
      return;
    }
    const pipeline = this.client.pipeline();
    for (const { script, keys, args } of calls) pipeline.evalsha(script.sha1, keys.length, ...keys, ...args);
    pipeline.exec().then(
      (replies) => {
        calls.forEach((call, i) => {
          const [error, value] = replies?.[i] ?? [new Error('Redis gave no reply for a pipelined command.'), undefined];
          if (error === null) call.resolve(value);
          // A fresh or flushed Redis has not cached the script: run this one alone, which loads it.
          else if (String(error.message).startsWith('NOSCRIPT')) call.script.run(this.client, call.keys, call.args).then(call.resolve, call.reject);
          else call.reject(error);
        });
      },
      (error: unknown) => {
        for (const call of calls) call.reject(error);
      },
    );
  }
}
