/**
 * Field smuggling in sorted `k=v&` signature schemes: nothing escapes '&'
 * inside values, so a value holding "&amount=9" signs exactly like a separate
 * `amount` field. Whoever has one such genuine notification could re-split it.
 */
import { createPay247WebhookMiddleware } from '../../lib';
import { signPay247 } from '../../lib/testing';
import { samplePay247Fields } from '../../lib/testing/pay247';
import { listen, post, type Running } from '../helpers/server';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';

const SECRET = 'smuggling-secret';

describe.each(EXPRESS_VERSIONS)('Pay247 ($name)', (express) => {
  let server: Running;
  let url: string;
  const events: Array<{ data: Record<string, unknown> }> = [];
  const codes: string[] = [];

  beforeAll(async () => {
    const app = express.create();
    app.post('/n', createPay247WebhookMiddleware({ secret: SECRET, onEvent: (e) => void events.push(e as never), onError: (e) => void codes.push(e.code) }));
    server = await listen(app);
    url = `${server.url}/n`;
  });
  afterAll(() => server.close());
  beforeEach(() => {
    events.length = 0;
    codes.length = 0;
  });

  test('the scheme allows it: a re-split body carries the same signature as the genuine one', () => {
    const genuine = { ...samplePay247Fields(), account_no: '6228&amount=999' } as Record<string, string | number>;
    delete genuine.amount;
    const resplit = { ...genuine, account_no: '6228', amount: '999' };
    expect(signPay247(resplit, SECRET)).toBe(signPay247(genuine, SECRET));
  });

  test('a genuine notification whose value could be read as another field is refused, so it cannot be re-split', async () => {
    const genuine = { ...samplePay247Fields(), account_no: '6228&amount=999' } as Record<string, string | number>;
    delete genuine.amount;
    const reply = await post(url, JSON.stringify({ ...genuine, sign: signPay247(genuine, SECRET) }), { 'content-type': 'application/json' });
    expect(reply.status).toBe(401);
    expect(codes).toEqual(['SIGNATURE_AMBIGUOUS']);
    expect(events).toHaveLength(0);
  });

  test('splitting a field out of a value needs a genuine notification that lacked it, and Pay247 never signs one without amount: refused', async () => {
    // Only account_no sorts right before amount, so only it could carry a smuggled amount.
    const genuine = { ...samplePay247Fields(), account_no: '6228&amount=999' } as Record<string, string | number>;
    delete genuine.amount;
    const sign = signPay247(genuine, SECRET);
    const resplit = { ...genuine, account_no: '6228', amount: '999' };
    expect(signPay247(resplit, SECRET)).toBe(sign);
    // What the provider would have had to sign is not a notification we accept (no amount; ambiguous value):
    const asSigned = await post(url, JSON.stringify({ ...genuine, sign }), { 'content-type': 'application/json' });
    expect(asSigned.status).toBe(401);
    // And a genuine notification always carries its own amount, so a split yields a repeated key or an ambiguous value:
    const withAmount = { ...samplePay247Fields(), account_no: '6228&amount=999' };
    const signWithAmount = signPay247(withAmount, SECRET);
    const doubled = JSON.stringify({ ...withAmount, sign: signWithAmount }).replace('"amount":"100.0000"', '"amount":"999","amount":"100.0000"');
    expect((await post(url, doubled, { 'content-type': 'application/json' })).status).toBe(400);
    const swallowed = { ...withAmount, account_no: '6228', amount: '999&amount=100.0000', sign: signWithAmount };
    expect(signPay247(swallowed, SECRET)).toBe(signWithAmount);
    expect((await post(url, JSON.stringify(swallowed), { 'content-type': 'application/json' })).status).toBe(401);
    expect(events).toHaveLength(0);
  });

  test('merging two fields into one value (dropping a field) is refused', async () => {
    const genuine = samplePay247Fields() as Record<string, string | number>;
    const sign = signPay247(genuine, SECRET);
    // account_name=胡歌&account_no=622… → one field whose value swallows account_no.
    const merged: Record<string, string | number> = { ...genuine, account_name: `${genuine.account_name}&account_no=${genuine.account_no}`, sign };
    delete merged.account_no;
    expect(signPay247(merged, SECRET)).toBe(sign);
    const reply = await post(url, JSON.stringify(merged), { 'content-type': 'application/json' });
    expect(reply.status).toBe(401);
    expect(codes).toEqual(['SIGNATURE_AMBIGUOUS']);
    expect(events).toHaveLength(0);
  });

  test('a value with an innocent query string (a receipt URL) is still accepted', async () => {
    const fields = { ...samplePay247Fields(), receipt: 'https://cdn.example/r.jpg?w=200&h=100' };
    const reply = await post(url, JSON.stringify({ ...fields, sign: signPay247(fields, SECRET) }), { 'content-type': 'application/json' });
    expect(reply.status).toBe(200);
    expect(events[0].data.receipt).toBe('https://cdn.example/r.jpg?w=200&h=100');
  });
});
