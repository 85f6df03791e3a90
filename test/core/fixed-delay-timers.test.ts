import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { FixedDelayTimers, ScheduledTimer } from '../../lib/core/fixed-delay-timers';
import { MAX_TIMER_MS } from '../../lib/core/timer-ms';

/** A timer that is its own node, as a run's deadline and a claim's renewal are. */
class OwnTimer extends ScheduledTimer {
  constructor(private readonly due_: () => void) {
    super();
  }

  onDue(): void {
    this.due_();
  }
}

describe('FixedDelayTimers, one-shot (as setTimeout)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('fires once, delayMs after it was started, not before', () => {
    const timers = new FixedDelayTimers(100);
    const fired = jest.fn();
    timers.start(fired);
    jest.advanceTimersByTime(99);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1000);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  test('an object that is its own timer (schedule) fires like a started one; scheduling it while it waits changes nothing; once fired it may be scheduled again', () => {
    const timers = new FixedDelayTimers(100);
    const fired = jest.fn();
    const own = new OwnTimer(fired);
    timers.schedule(own);
    jest.advanceTimersByTime(50);
    // Still waiting: not moved to now + 100, not queued twice.
    timers.schedule(own);
    jest.advanceTimersByTime(50);
    expect(fired).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(500);
    expect(fired).toHaveBeenCalledTimes(1);
    expect(jest.getTimerCount()).toBe(0);
    timers.schedule(own);
    jest.advanceTimersByTime(99);
    expect(fired).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(2);
    timers.schedule(own);
    timers.cancel(own);
    jest.advanceTimersByTime(1000);
    expect(fired).toHaveBeenCalledTimes(2);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('a cancelled timer never fires; cancelling it again, or one that fired, changes nothing', () => {
    const timers = new FixedDelayTimers(100);
    const kept = jest.fn();
    const dropped = jest.fn();
    const a = timers.start(dropped);
    const b = timers.start(kept);
    timers.cancel(a);
    timers.cancel(a);
    jest.advanceTimersByTime(100);
    expect(dropped).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledTimes(1);
    timers.cancel(b);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('a thousand pending timers hold one Node timer; once all are cancelled it keeps no process alive, and is gone after it fires (an idle route holds no timer)', () => {
    const timers = new FixedDelayTimers(5000);
    const started: ScheduledTimer[] = [];
    for (let i = 0; i < 1000; i++) {
      started.push(timers.start(() => undefined));
      if (i % 100 === 0) jest.advanceTimersByTime(1);
    }
    expect(jest.getTimerCount()).toBe(1);
    expect(timers.keepsProcessAlive).toBe(true);
    for (const scheduled of started) timers.cancel(scheduled);
    expect(jest.getTimerCount()).toBeLessThanOrEqual(1);
    expect(timers.keepsProcessAlive).toBe(false);
    jest.advanceTimersByTime(5000);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('an emptied list set going again keeps the process alive again, and its timers fire on time (not at the old timer\'s time)', () => {
    const timers = new FixedDelayTimers(100);
    const fired = jest.fn();
    timers.cancel(timers.start(() => undefined));
    expect(timers.keepsProcessAlive).toBe(false);
    jest.advanceTimersByTime(40);
    timers.start(fired);
    expect(timers.keepsProcessAlive).toBe(true);
    // The old timer, still armed for 100 ms, fires first: nothing is due then.
    jest.advanceTimersByTime(99);
    expect(fired).not.toHaveBeenCalled();
    expect(timers.keepsProcessAlive).toBe(true);
    jest.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('timers started at different times each fire at their own time, in the order started, whichever were cancelled', () => {
    const timers = new FixedDelayTimers(50);
    const log: Array<[string, number]> = [];
    const at = (name: string) => () => log.push([name, performance.now()]);
    const t0 = performance.now();
    timers.start(at('a'));
    jest.advanceTimersByTime(10);
    const b = timers.start(at('b'));
    jest.advanceTimersByTime(10);
    timers.start(at('c'));
    timers.cancel(b);
    jest.advanceTimersByTime(100);
    expect(log).toEqual([
      ['a', t0 + 50],
      ['c', t0 + 70],
    ]);
  });

  test('a callback may start and cancel timers of the same list: each new one is due delayMs after its own start', () => {
    const timers = new FixedDelayTimers(30);
    const log: Array<[string, number]> = [];
    const t0 = performance.now();
    let victim: ScheduledTimer | undefined;
    timers.start(() => {
      log.push(['first', performance.now()]);
      timers.cancel(victim as ScheduledTimer);
      timers.start(() => log.push(['started from first', performance.now()]));
    });
    jest.advanceTimersByTime(5);
    victim = timers.start(() => log.push(['victim', performance.now()]));
    jest.advanceTimersByTime(10);
    timers.start(() => log.push(['third', performance.now()]));
    jest.advanceTimersByTime(200);
    expect(log).toEqual([
      ['first', t0 + 30],
      ['third', t0 + 45],
      ['started from first', t0 + 60],
    ]);
  });

  test('a callback that throws does not strand the timers behind it', () => {
    const timers = new FixedDelayTimers(10);
    const after = jest.fn();
    timers.start(() => {
      throw new Error('handler bug');
    });
    jest.advanceTimersByTime(1);
    timers.start(after);
    expect(() => jest.advanceTimersByTime(10)).toThrow('handler bug');
    jest.advanceTimersByTime(10);
    expect(after).toHaveBeenCalledTimes(1);
  });

  test('a delay past what Node can time is capped there, never turned into "at once"', () => {
    const timers = new FixedDelayTimers(1e15);
    expect(timers.delayMs).toBe(MAX_TIMER_MS);
    const fired = jest.fn();
    timers.start(fired);
    jest.advanceTimersByTime(10_000);
    expect(fired).not.toHaveBeenCalled();
  });
});

describe('FixedDelayTimers, repeating (as setInterval)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('fires every delayMs until cancelled, each on its own schedule', () => {
    const timers = new FixedDelayTimers(100, { repeat: true });
    const log: Array<[string, number]> = [];
    const t0 = performance.now();
    const a = timers.start(() => log.push(['a', performance.now() - t0]));
    jest.advanceTimersByTime(40);
    timers.start(() => log.push(['b', performance.now() - t0]));
    jest.advanceTimersByTime(260);
    timers.cancel(a);
    jest.advanceTimersByTime(100);
    expect(log).toEqual([
      ['a', 100],
      ['b', 140],
      ['a', 200],
      ['b', 240],
      ['a', 300],
      ['b', 340],
    ]);
  });

  test('a callback that cancels its own timer is not called again', () => {
    const timers = new FixedDelayTimers(10, { repeat: true });
    let calls = 0;
    const self: { timer?: ScheduledTimer } = {};
    self.timer = timers.start(() => {
      calls++;
      if (calls === 2) timers.cancel(self.timer as ScheduledTimer);
    });
    jest.advanceTimersByTime(100);
    expect(calls).toBe(2);
    expect(jest.getTimerCount()).toBe(0);
  });
});

/**
 * The list against the plain rule it stands for: every timer not cancelled
 * fires at the first millisecond at or after it is due (a repeating one then
 * again delayMs later), in the order due, ties in the order started, and a
 * cancelled one never again. Random interleavings of starts, cancels and the
 * clock moving on, one-shot and repeating.
 */
describe('FixedDelayTimers against a model', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  interface Model {
    now: number;
    /** Live timers by id: when each is next due, and its order of (re)scheduling. */
    live: Map<number, { due: number; seq: number }>;
    seq: number;
    nextId: number;
    delay: number;
    repeat: boolean;
  }
  interface Real {
    timers: FixedDelayTimers;
    handles: Map<number, ScheduledTimer>;
    fired: Array<[number, number]>;
    t0: number;
  }

  class Start implements fc.Command<Model, Real> {
    /** `own`: an object that is its own timer, passed to schedule(), instead of a callback passed to start(). */
    constructor(readonly own: boolean) {}
    check = () => true;
    run(model: Model, real: Real): void {
      const id = model.nextId++;
      model.live.set(id, { due: model.now + model.delay, seq: model.seq++ });
      const fire = () => real.fired.push([id, performance.now() - real.t0]);
      if (this.own) {
        const own = new OwnTimer(fire);
        real.timers.schedule(own);
        real.handles.set(id, own);
      } else {
        real.handles.set(id, real.timers.start(fire));
      }
    }
    toString = () => (this.own ? 'schedule(new)' : 'start');
  }

  /** schedule() on a timer made earlier: a no-op while it waits; due delayMs from now if it fired (one-shot) or was cancelled. */
  class Reschedule implements fc.Command<Model, Real> {
    constructor(readonly pick: number) {}
    check = (model: Model) => model.nextId > 0;
    run(model: Model, real: Real): void {
      const id = this.pick % model.nextId;
      if (!model.live.has(id)) model.live.set(id, { due: model.now + model.delay, seq: model.seq++ });
      real.timers.schedule(real.handles.get(id) as ScheduledTimer);
    }
    toString = () => `reschedule(#${this.pick})`;
  }

  class Cancel implements fc.Command<Model, Real> {
    constructor(readonly pick: number) {}
    check = (model: Model) => model.nextId > 0;
    run(model: Model, real: Real): void {
      const id = this.pick % model.nextId;
      model.live.delete(id);
      real.timers.cancel(real.handles.get(id) as ScheduledTimer);
    }
    toString = () => `cancel(#${this.pick})`;
  }

  class Advance implements fc.Command<Model, Real> {
    constructor(readonly ms: number) {}
    check = () => true;
    run(model: Model, real: Real): void {
      const until = model.now + this.ms;
      const expected: Array<[number, number]> = [];
      for (;;) {
        let next: [number, { due: number; seq: number }] | undefined;
        for (const entry of model.live) {
          const [, t] = entry;
          if (t.due > until) continue;
          if (next === undefined || t.due < next[1].due || (t.due === next[1].due && t.seq < next[1].seq)) next = entry;
        }
        if (next === undefined) break;
        const [id, t] = next;
        expected.push([id, t.due]);
        if (model.repeat) model.live.set(id, { due: t.due + model.delay, seq: model.seq++ });
        else model.live.delete(id);
      }
      real.fired.length = 0;
      jest.advanceTimersByTime(this.ms);
      model.now = until;
      expect(real.fired).toEqual(expected);
      // One Node timer, keeping the process alive, while something is pending; none that keeps it alive otherwise.
      if (model.live.size > 0) expect(jest.getTimerCount()).toBe(1);
      else expect(jest.getTimerCount()).toBeLessThanOrEqual(1);
      expect(real.timers.keepsProcessAlive).toBe(model.live.size > 0);
    }
    toString = () => `advance(${this.ms})`;
  }

  test.each([
    ['one-shot', false],
    ['repeating', true],
  ])('%s', (_name, repeat) => {
    const commands = [
      fc.boolean().map((own) => new Start(own)),
      fc.nat(40).map((pick) => new Cancel(pick)),
      fc.nat(40).map((pick) => new Reschedule(pick)),
      fc.constantFrom(0, 1, 2, 7, 9, 10, 11, 25, 60).map((ms) => new Advance(ms)),
    ];
    fc.assert(
      fc.property(fc.constantFrom(1, 3, 10), fc.commands(commands, { maxCommands: 80 }), (delay, cmds) => {
        jest.clearAllTimers();
        const real: Real = { timers: new FixedDelayTimers(delay, { repeat }), handles: new Map(), fired: [], t0: performance.now() };
        const model: Model = { now: 0, live: new Map(), seq: 0, nextId: 0, delay, repeat };
        fc.modelRun(() => ({ model, real }), cmds);
      }),
      { numRuns: 300 },
    );
  });
});

describe('FixedDelayTimers on the real clock', () => {
  test('never fires before its time by performance.now(), even where Node fires its own timer a little early', async () => {
    const timers = new FixedDelayTimers(15);
    const early: number[] = [];
    const done: Array<Promise<void>> = [];
    for (let i = 0; i < 30; i++) {
      const due = performance.now() + 15;
      done.push(new Promise((resolve) => timers.start(() => (early.push(due - performance.now()), resolve()))));
      // Busy for a moment: Node's loop clock lags the real one, which is what makes its timers early.
      const until = performance.now() + 0.7;
      while (performance.now() < until);
    }
    await Promise.all(done);
    expect(early.filter((ms) => ms > 0)).toEqual([]);
  });

  /**
   * Runs `body` in a child process with a list of 400 ms (`timers`, made with
   * `options`): what it printed, a 'fired' line if a callback ran, then how
   * long the process lived, in ms.
   */
  function inChildProcess(options: string, body: string): string[] {
    const script = `
      const { FixedDelayTimers } = require(${JSON.stringify(path.join(__dirname, '../../dist/core/fixed-delay-timers'))});
      const started = Date.now();
      process.on('exit', () => console.log(Date.now() - started));
      const timers = new FixedDelayTimers(400, ${options});
      ${body}
    `;
    return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 }).stdout.trim().split('\n');
  }

  /** The process lived until the callback fired, at least `ms` after it started; or exited at once, nothing fired. */
  function expectLived(lines: string[], lived: boolean, ms = 390): void {
    if (lived) {
      expect(lines[0]).toBe('fired');
      expect(Number(lines[1])).toBeGreaterThanOrEqual(ms);
    } else {
      expect(lines).toHaveLength(1);
      expect(Number(lines[0])).toBeLessThan(390);
    }
  }

  test.each([
    [true, 'keeps the process alive until it fires'],
    [false, 'does not keep the process alive'],
  ])('keepsAlive %s: a pending timer %s', (keepsAlive) => {
    expectLived(inChildProcess(`{ keepsAlive: ${keepsAlive} }`, 'timers.start(() => console.log("fired"));'), keepsAlive);
  });

  test.each([
    ['emptied (its last timer cancelled)', 'timers.cancel(timers.start(() => console.log("fired")));', false],
    ['emptied and then set going again', 'timers.cancel(timers.start(() => undefined)); setTimeout(() => timers.start(() => console.log("fired")), 50);', true],
  ])('keepsAlive true, %s: the process lives exactly as long as a timer waits', (_name, body, lives) => {
    // Set going again 50 ms in: it fires, and the process ends, 450 ms in.
    expectLived(inChildProcess('{}', body), lives, 440);
  });
});
