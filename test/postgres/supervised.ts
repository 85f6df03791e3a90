/**
 * A merchant app in a child process, started again each time it dies, and a
 * provider-like client that retries until acked: what the kill tests share.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { sleep } from '../helpers/async';

/**
 * One instance of the app, started again each time it dies: life i kills
 * itself at `plan[i]`, and once the plan is used up it runs without dying.
 */
export class Supervised<KillPoint extends string> {
  port: number | undefined;
  readonly kills: KillPoint[] = [];
  private child: ChildProcess | undefined;
  private lives = 0;
  private stopped = false;

  constructor(
    /** The app's script: it prints "listening <port>", and "kill <point>" just before it kills itself at KILL_AT. */
    private readonly app: string,
    private readonly databaseUrl: string,
    private readonly plan: readonly KillPoint[],
  ) {}

  start(): void {
    if (this.stopped) return;
    const killAt = this.plan[this.lives++] ?? 'none';
    const child = spawn(process.execPath, [this.app], { env: { ...process.env, DATABASE_URL: this.databaseUrl, KILL_AT: killAt }, stdio: ['ignore', 'pipe', 'inherit'] });
    this.child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const listening = /^listening (\d+)$/.exec(line);
      if (listening) this.port = Number(listening[1]);
      const killed = /^kill (\S+)$/.exec(line);
      if (killed) this.kills.push(killed[1] as KillPoint);
    });
    child.once('exit', () => {
      this.port = undefined;
      this.start();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

/**
 * The provider: POSTs the notification to one of the instances until it is
 * acked (200 SUCCESS); a refused connection, a cut one, 5xx: try again soon.
 */
export async function deliverUntilAcked(instances: Supervised<string>[], notification: { headers: Record<string, string>; body: string }, giveUpAt: number, duplicates: boolean): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    if (Date.now() > giveUpAt) throw new Error(`not acked after ${attempt - 1} attempts`);
    const targets = duplicates ? instances : [instances[attempt % instances.length]!];
    const replies = await Promise.all(targets.map((instance) => attemptOnce(instance, notification)));
    if (replies.some((acked) => acked)) return attempt;
    await sleep(10 + Math.random() * 30);
  }
}

async function attemptOnce(instance: Supervised<string>, notification: { headers: Record<string, string>; body: string }): Promise<boolean> {
  const port = instance.port;
  if (port === undefined) return false;
  try {
    const response = await fetch(`http://127.0.0.1:${port}/notify/pay247`, {
      method: 'POST',
      headers: notification.headers,
      body: notification.body,
      signal: AbortSignal.timeout(10_000),
    });
    const body = await response.text();
    return response.status === 200 && body === 'SUCCESS';
  } catch {
    return false;
  }
}
