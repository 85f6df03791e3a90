import { WebhookError } from '../../lib';
import { RunContext, runWithDeadline } from '../../lib/core/run-handler';
import { deferred } from '../helpers/async';

describe('RunContext: the AbortSignal is made on first use', () => {
  test('read before the deadline, it aborts at the deadline with the reason', () => {
    const ctx = new RunContext('req');
    const signal = ctx.signal;
    expect(signal.aborted).toBe(false);
    const reason = new Error('deadline');
    RunContext.abort(ctx, reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
    expect(ctx.signal).toBe(signal);
  });

  test('read only after the deadline, it is already aborted, with the reason', () => {
    const ctx = new RunContext('req');
    const reason = new Error('deadline');
    RunContext.abort(ctx, reason);
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toBe(reason);
  });

  test('ctx shows the merchant req and signal only: destructuring works, no internals or abort()', () => {
    const ctx = new RunContext('the request');
    const { req, signal } = ctx;
    expect(req).toBe('the request');
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(Object.keys(ctx)).toEqual(['req']);
    expect((ctx as unknown as { abort?: unknown }).abort).toBeUndefined();
  });
});

describe('runWithDeadline', () => {
  test('work that resolves: ok, in time', async () => {
    const run = runWithDeadline(async () => undefined, new RunContext(undefined), 10_000);
    await expect(run.answer).resolves.toEqual({ ok: true, timedOut: false });
    await expect(run.settled).resolves.toEqual({ ok: true });
  });

  test('work that throws: not ok, the error wrapped as HANDLER_FAILED, in time', async () => {
    const run = runWithDeadline(async () => {
      throw new Error('db down');
    }, new RunContext(undefined), 10_000);
    const answer = await run.answer;
    expect(answer).toMatchObject({ ok: false, timedOut: false });
    expect(!answer.ok && answer.error).toBeInstanceOf(WebhookError);
    expect(!answer.ok && answer.error.code).toBe('HANDLER_FAILED');
  });

  test('work past the deadline: answered as timed out, the context aborts, and the late outcome still arrives', async () => {
    const ctx = new RunContext(undefined);
    const gate = deferred();
    const run = runWithDeadline(() => gate.promise, ctx, 10);
    const answer = await run.answer;
    expect(answer).toMatchObject({ ok: false, timedOut: true });
    expect(!answer.ok && answer.error.code).toBe('HANDLER_TIMEOUT');
    expect(ctx.signal.aborted).toBe(true);
    gate.resolve();
    await expect(run.settled).resolves.toEqual({ ok: true });
  });
});
