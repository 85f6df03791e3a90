/**
 * Crash safety, for real: the app is a child process killed with SIGKILL
 * after it acked a notification but before its handler's effect happened.
 * Started again on the same inbox, it delivers the notification, once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteInbox, RedisInbox } from '../../lib';
import { buildPay247Notification } from '../../lib/testing';
import { until } from '../helpers/async';
import { describeWithRedis, startRedisServer, type RedisServer } from '../helpers/redis-server';
import { post } from '../helpers/server';

const APP = join(__dirname, 'fixtures', 'inbox-app.js');
const dir = mkdtempSync(join(tmpdir(), 'epw-crash-'));
const children = new Set<ChildProcess>();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// A failed assertion must not leave an app running.
afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

interface App {
  child: ChildProcess;
  port: number;
  lines: string[];
}

/** Starts the app and resolves once it listens; its stdout lines are collected. */
function startApp(where: string, effects: string, mode: 'ok' | 'hang' | 'die-at-commit'): Promise<App> {
  const child = spawn(process.execPath, [APP, where, effects, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the app exited (${code}) before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const listening = /^listening (\d+)$/.exec(line);
      if (listening) resolve({ child, port: Number(listening[1]), lines });
    });
  });
}

function kill(app: App, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (app.child.exitCode !== null || app.child.signalCode !== null) return resolve();
    app.child.once('exit', () => resolve());
    app.child.kill(signal);
  });
}

const effectsIn = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

async function crashAndRecover(where: string, name: string, inspect: () => SqliteInbox | RedisInbox): Promise<void> {
  const effects = join(dir, `${name}-effects.txt`);
  const first = await startApp(where, effects, 'hang');
  const n = buildPay247Notification({ secret: 'crash-secret' });
  const id = `${n.fields.order_no}:2`;
  expect(await post(`http://127.0.0.1:${first.port}/notify/pay247`, n.body, n.headers)).toMatchObject({ status: 200, body: 'SUCCESS' });
  await until(() => first.lines.includes(`handler-started ${id}`));
  await kill(first, 'SIGKILL');
  expect(effectsIn(effects)).toEqual([]);

  const second = await startApp(where, effects, 'ok');
  try {
    await until(() => effectsIn(effects).length > 0, 20);
    const inbox = inspect();
    await until(async () => (await inbox.get(`pay247:${id}`))?.state === 'done', 20);
    expect(await inbox.get(`pay247:${id}`)).toMatchObject({ state: 'done', attempts: 2 });
    // The killed process's attempt shows as such: its lease expired, the next attempt delivered.
    expect((await inbox.history(`pay247:${id}`)).map((record) => record.type === 'attempt' && [record.attempt, record.outcome])).toEqual([
      [1, 'expired'],
      [2, 'delivered'],
    ]);
    await inbox.close();
    expect(effectsIn(effects)).toEqual([id]);
  } finally {
    await kill(second, 'SIGTERM');
  }
}

describe('crash safety with SqliteInbox', () => {
  test('SIGKILL after the ack, before the effect: delivered after restart, exactly once', async () => {
    const path = join(dir, 'crash.db');
    await crashAndRecover(path, 'sqlite', () => new SqliteInbox({ path }));
  });
});

describe('crash safety with SqliteInbox, between a group commit and its acks', () => {
  test('SIGKILL once the commit is on disk, before any ack: nothing acked, every retry acked, each delivered once', async () => {
    const path = join(dir, 'commit-then-kill.db');
    const effects = join(dir, 'commit-then-kill-effects.txt');
    const first = await startApp(path, effects, 'die-at-commit');
    const notifications = Array.from({ length: 5 }, () => buildPay247Notification({ secret: 'crash-secret' }));
    const ids = notifications.map((n) => `${n.fields.order_no}:2`).sort();
    const exited = new Promise((resolve) => first.child.once('exit', (_code, signal) => resolve(signal)));
    const answers = await Promise.allSettled(notifications.map((n) => post(`http://127.0.0.1:${first.port}/notify/pay247`, n.body, n.headers)));
    expect(await exited).toBe('SIGKILL');
    // No ack: the connections were cut, so the provider retries every one.
    expect(answers.map((answer) => answer.status)).toEqual(Array(5).fill('rejected'));
    // The commit the process died on is on disk.
    const file = new BetterSqlite3(path, { readonly: true });
    const stored = (file.prepare('SELECT key FROM inbox').all() as Array<{ key: string }>).map((row) => row.key);
    file.close();
    expect(stored.length).toBeGreaterThan(0);

    const second = await startApp(path, effects, 'ok');
    try {
      const retries = await Promise.all(notifications.map((n) => post(`http://127.0.0.1:${second.port}/notify/pay247`, n.body, n.headers)));
      expect(retries.map((reply) => reply.status)).toEqual(Array(5).fill(200));
      await until(() => effectsIn(effects).length >= 5, 20);
      expect(effectsIn(effects).sort()).toEqual(ids);
    } finally {
      await kill(second, 'SIGTERM');
    }
  });
});

describeWithRedis('crash safety with RedisInbox', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server?.stop());

  test('SIGKILL after the ack, before the effect: another consumer reclaims it (XAUTOCLAIM) and delivers it, exactly once', async () => {
    await crashAndRecover(server.url, 'redis', () => new RedisInbox({ url: server.url }));
  });
});
