/**
 * Exactly once through the inbox, for real: the app is a child process
 * (PostgresInbox, transactional: true, its handler inserts into a real
 * `orders` table through ctx.db) that SIGKILLs itself during deliveries:
 * inside the handler after its write (not committed), and after the delivery
 * committed. Killed instances are started again; another instance shares
 * the table. Then every notification's row is in the table exactly once and
 * every entry is done.
 */
import { join } from 'node:path';
import { Pool } from 'pg';
import { buildPay247Notification } from '../../lib/testing';
import { until } from '../helpers/async';
import { describeWithPostgres, startPostgresServer, type PostgresServer } from '../helpers/postgres-server';
import { deliverUntilAcked, Supervised } from './supervised';

const APP = join(__dirname, 'fixtures', 'inbox-orders-app.js');
const KILL_POINTS = ['after-write', 'after-commit'] as const;
type KillPoint = (typeof KILL_POINTS)[number];

describeWithPostgres('SIGKILL during transactional inbox deliveries', () => {
  let server: PostgresServer;
  let db: Pool;
  const supervised: Supervised<KillPoint>[] = [];

  beforeAll(async () => {
    server = await startPostgresServer();
    db = new Pool({ connectionString: server.url });
    db.on('error', () => {});
    // No unique constraint on purpose: a second run of a notification would show as a second row.
    await db.query('CREATE TABLE orders (order_no text NOT NULL, amount numeric NOT NULL)');
  });
  afterAll(async () => {
    for (const instance of supervised.splice(0)) await instance.stop();
    await db?.end();
    await server?.stop();
  });

  test('two instances on one inbox table, each killed 3 times at each step: every entry done, each effect exactly once', async () => {
    const plan = [...KILL_POINTS, ...KILL_POINTS, ...KILL_POINTS];
    const instances = [0, 1].map(() => new Supervised<KillPoint>(APP, server.url, plan));
    supervised.push(...instances);
    for (const instance of instances) instance.start();

    const sent = Array.from({ length: 12 }, () => buildPay247Notification({ secret: 'kill-secret' }));
    await Promise.all(sent.map((n) => deliverUntilAcked(instances, n, Date.now() + 30_000, false)));
    const keys = sent.map((n) => `pay247:${n.fields.order_no}:2`);
    const states = async () => (await db.query('SELECT state FROM epw_inbox WHERE key = ANY($1)', [keys])).rows.map((row: { state: string }) => row.state);
    await until(async () => (await states()).filter((state) => state === 'done').length === sent.length, 50, 40_000);

    const { rows } = await db.query('SELECT order_no, count(*)::int AS n FROM orders GROUP BY order_no');
    const counts = new Map(rows.map((row: { order_no: string; n: number }) => [row.order_no, row.n]));
    expect(sent.map((n) => counts.get(String(n.fields.order_no)))).toEqual(Array(sent.length).fill(1));
    expect(rows).toHaveLength(sent.length);
    const kills = instances.flatMap((instance) => instance.kills);
    for (const point of KILL_POINTS) expect(kills.filter((k) => k === point).length).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
