/** examples/postgres: the server as a merchant runs it, on a real PostgreSQL. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { buildPay247Notification } from '../../lib/testing';
import { describeWithPostgres, startPostgresServer, type PostgresServer } from '../helpers/postgres-server';
import { post } from '../helpers/server';

const SERVER = join(__dirname, '..', '..', 'examples', 'postgres', 'server.js');

describeWithPostgres('examples/postgres', () => {
  let server: PostgresServer;
  let app: ChildProcess | undefined;
  beforeAll(async () => {
    server = await startPostgresServer();
  });
  afterAll(async () => {
    if (app !== undefined && app.exitCode === null) {
      const exited = new Promise((resolve) => app!.once('exit', resolve));
      app.kill('SIGTERM');
      await exited;
    }
    await server?.stop();
  });

  test('a payout notification sent three times: acked each time, recorded once', async () => {
    app = spawn(process.execPath, [SERVER], { env: { ...process.env, DATABASE_URL: server.url, PORT: '0', PAY247_KEY: 'example-key' }, stdio: ['ignore', 'pipe', 'inherit'] });
    const base = await new Promise<string>((resolve, reject) => {
      app!.once('exit', (code) => reject(new Error(`the example exited (${code})`)));
      createInterface({ input: app!.stdout! }).on('line', (line) => {
        const listening = /listening on (http:\/\/\S+)/.exec(line);
        if (listening) resolve(listening[1]!);
      });
    });
    const n = buildPay247Notification({ secret: 'example-key', fields: { status: 2 } });
    for (let i = 0; i < 3; i++) expect(await post(`${base}/notify/pay247`, n.body, n.headers)).toMatchObject({ status: 200, body: 'SUCCESS' });
    const payouts = await (await fetch(`${base}/payouts`)).json();
    expect(payouts).toEqual([{ order_no: n.fields.order_no, out_order_no: n.fields.out_order_no, amount: '100.0000', state: 'paid' }]);
  });
});
