/**
 * Exactly once, for real: the app is a child process (transactional mode, its
 * handler inserts into a real `orders` table) that SIGKILLs itself at each
 * step of handling: before the claim, inside the handler after its write,
 * after the commit before the ack. A provider-like client retries every
 * notification until it is acked, and the killed app is started again. Then
 * every notification's row is in the table exactly once. The same with two
 * instances sharing the database, the client sending to either, duplicates
 * at the same time.
 */
import { join } from 'node:path';
import { Pool } from 'pg';
import { buildPay247Notification } from '../../lib/testing';
import { describeWithPostgres, startPostgresServer, type PostgresServer } from '../helpers/postgres-server';
import { deliverUntilAcked, Supervised } from './supervised';

const APP = join(__dirname, 'fixtures', 'orders-app.js');
const KILL_POINTS = ['before-claim', 'after-write', 'after-commit'] as const;
type KillPoint = (typeof KILL_POINTS)[number];

describeWithPostgres('SIGKILL at every step of a transactional run', () => {
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
  afterEach(async () => {
    for (const instance of supervised.splice(0)) await instance.stop();
  });
  afterAll(async () => {
    await db?.end();
    await server?.stop();
  });

  async function scenario(instanceCount: number, killsPerPointPerInstance: number, notifications: number, duplicates: boolean) {
    const plan = Array.from({ length: killsPerPointPerInstance }, () => KILL_POINTS).flat();
    const instances = Array.from({ length: instanceCount }, () => new Supervised<KillPoint>(APP, server.url, plan));
    supervised.push(...instances);
    for (const instance of instances) instance.start();

    const sent = Array.from({ length: notifications }, () => buildPay247Notification({ secret: 'kill-secret' }));
    const giveUpAt = Date.now() + 100_000;
    await Promise.all(sent.map((n) => deliverUntilAcked(instances, n, giveUpAt, duplicates)));

    const { rows } = await db.query('SELECT order_no, count(*)::int AS n FROM orders WHERE order_no = ANY($1) GROUP BY order_no', [sent.map((n) => n.fields.order_no)]);
    const counts = new Map(rows.map((row: { order_no: string; n: number }) => [row.order_no, row.n]));
    // Every notification was acked, and each acked one is in the table exactly once.
    expect(sent.map((n) => counts.get(String(n.fields.order_no)))).toEqual(Array(notifications).fill(1));
    return instances.flatMap((instance) => instance.kills);
  }

  test('one instance, killed 6 times (2 at each step): every notification acked, each in the table exactly once', async () => {
    const kills = await scenario(1, 2, 8, false);
    for (const point of KILL_POINTS) expect(kills.filter((k) => k === point).length).toBeGreaterThanOrEqual(1);
    expect(kills.length).toBeGreaterThanOrEqual(5);
  }, 120_000);

  test('two instances on one database, each killed 3 times (once at each step), duplicates sent to both at once: each notification in the table exactly once', async () => {
    const kills = await scenario(2, 1, 8, true);
    for (const point of KILL_POINTS) expect(kills.filter((k) => k === point).length).toBeGreaterThanOrEqual(1);
    expect(kills.length).toBeGreaterThanOrEqual(5);
  }, 120_000);
});
