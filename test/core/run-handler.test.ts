import { WebhookError } from '../../lib';
import { FixedDelayTimers } from '../../lib/core/fixed-delay-timers';
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
    const run = runWithDeadline(async () => undefined, new RunContext(undefined), new FixedDelayTimers(10_000));
    await expect(run.answer).resolves.toEqual({ ok: true, timedOut: false });
    await expect(run.settled).resolves.toEqual({ ok: true });
  });

  test('work that throws: not ok, the error wrapped as HANDLER_FAILED, in time', async () => {
    const run = runWithDeadline(async () => {
      throw new Error('db down');
    }, new RunContext(undefined), new FixedDelayTimers(10_000));
    const answer = await run.answer;
    expect(answer).toMatchObject({ ok: false, timedOut: false });
    expect(!answer.ok && answer.error).toBeInstanceOf(WebhookError);
    expect(!answer.ok && answer.error.code).toBe('HANDLER_FAILED');
  });

  test('work past the deadline: answered as timed out, the context aborts, and the late outcome still arrives', async () => {
    const ctx = new RunContext(undefined);
    const gate = deferred();
    const run = runWithDeadline(() => gate.promise, ctx, new FixedDelayTimers(10));
    const answer = await run.answer;
    expect(answer).toMatchObject({ ok: false, timedOut: true });
    expect(!answer.ok && answer.error.code).toBe('HANDLER_TIMEOUT');
    expect(ctx.signal.aborted).toBe(true);
    gate.resolve();
    await expect(run.settled).resolves.toEqual({ ok: true });
  });
});

describe('runWithDeadline: the hard bound', () => {
  test('work that settles in time: bounded is its outcome, not abandoned, and the context keeps its req', async () => {
    const ctx = new RunContext('req');
    const run = runWithDeadline(async () => undefined, ctx, new FixedDelayTimers(10_000), 20_000);
    await expect(run.bounded).resolves.toEqual({ ok: true, abandoned: false });
    expect(ctx.req).toBe('req');
  });

  test('work that never settles: given up at hardTimeoutMs as HANDLER_ABANDONED, the context drops its req; a late outcome still arrives', async () => {
    const ctx = new RunContext({ big: 'request' });
    const gate = deferred();
    const run = runWithDeadline(() => gate.promise, ctx, new FixedDelayTimers(5), 20);
    const bounded = await run.bounded;
    expect(bounded).toMatchObject({ ok: false, abandoned: true });
    expect(!bounded.ok && bounded.error.code).toBe('HANDLER_ABANDONED');
    expect(ctx.req).toBeUndefined();
    expect(ctx.signal.aborted).toBe(true);
    gate.reject(new Error('late'));
    const late = await run.settled;
    expect(!late.ok && late.error.code).toBe('HANDLER_FAILED');
  });

  const settlesLate = (): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, 30));
  const fails = (): Promise<unknown> => Promise.reject(new Error('db down'));
  const settlesAtOnce = async (): Promise<unknown> => undefined;
  test.each([
    ['in time', 10_000, settlesAtOnce, { ok: true, abandoned: false }],
    ['after its timeout', 5, settlesLate, { ok: true, abandoned: false }],
    ['failed in time', 10_000, fails, { ok: false, abandoned: false }],
  ])('bounded first read only after the work settled (%s) is still its outcome', async (_name, timeoutMs, work, expected) => {
    const run = runWithDeadline(work, new RunContext(undefined), new FixedDelayTimers(timeoutMs), 60_000);
    await run.settled;
    await expect(run.bounded).resolves.toMatchObject(expected);
  });

  test('bounded read after the hard deadline gave the run up is that outcome, whatever the work does later', async () => {
    const gate = deferred();
    const run = runWithDeadline(() => gate.promise, new RunContext(undefined), new FixedDelayTimers(5), 20);
    await new Promise((resolve) => setTimeout(resolve, 60));
    gate.resolve();
    await run.settled;
    await expect(run.bounded).resolves.toMatchObject({ ok: false, abandoned: true });
  });

  test('without a hard bound the work is never given up', async () => {
    const gate = deferred();
    const run = runWithDeadline(() => gate.promise, new RunContext(undefined), new FixedDelayTimers(5));
    expect(await run.answer).toMatchObject({ timedOut: true });
    gate.resolve();
    await expect(run.bounded).resolves.toEqual({ ok: true, abandoned: false });
  });

  test("a WebhookError the work throws comes back as a copy (code, message, cause kept): the merchant's object is never the one reported", async () => {
    const cause = new Error('inner');
    const thrown = new WebhookError('NOT_CONFIRMED', 'not yet', { cause });
    const run = runWithDeadline(() => Promise.reject(thrown), new RunContext(undefined), new FixedDelayTimers(10_000));
    const outcome = await run.settled;
    expect(!outcome.ok && outcome.error).not.toBe(thrown);
    expect(!outcome.ok && outcome.error).toMatchObject({ code: 'NOT_CONFIRMED', status: 409, message: 'not yet', cause });
  });
});
