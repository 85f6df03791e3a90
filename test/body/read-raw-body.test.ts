/**
 * The raw body reader over real HTTP: the direct path (a plain body with a
 * Content-Length) and body-parser's (compressed, chunked, declared over the
 * limit) must give the same bytes and the same refusals.
 */
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { WebhookError } from '../../lib';
import { createRawBodyReader, parseByteLimit } from '../../lib/body/read-raw-body';
import { deferred } from '../helpers/async';

type Outcome = { body: string } | { code: string };

let server: Server;
let port: number;
let outcomes: Array<Promise<Outcome>>;
/** Per request, the events the reader subscribed to on it. */
let subscriptions: string[][];

beforeAll(async () => {
  const read = createRawBodyReader({ limit: 100, timeoutMs: 300 });
  server = createServer((req, res) => {
    const subscribed: string[] = [];
    subscriptions.push(subscribed);
    const on = req.on.bind(req);
    req.on = ((event: string, listener: (...args: unknown[]) => void) => {
      subscribed.push(event);
      return on(event, listener);
    }) as typeof req.on;
    const outcome = read(req, res).then(
      (bytes): Outcome => ({ body: bytes.toString('utf8') }),
      (error): Outcome => ({ code: error instanceof WebhookError ? error.code : String(error) }),
    );
    outcomes.push(outcome);
    void outcome.then(() => res.end('done'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  outcomes = [];
  subscriptions = [];
});

/** Writes a raw HTTP/1.1 request, `parts` with `gapMs` between them, and resolves with the reader's outcome. */
function sendRaw(parts: string[], gapMs: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', async () => {
      for (const [i, part] of parts.entries()) {
        if (i > 0) await new Promise((wait) => setTimeout(wait, gapMs));
        socket.write(part);
      }
    });
    socket.on('error', reject);
    socket.once('data', () => {
      socket.destroy();
      void outcomes[outcomes.length - 1].then(resolve);
    });
  });
}

/** Sends a request with node:http (Content-Length set, or chunked when `chunks` is given). */
function send(headers: Record<string, string>, body: Buffer | string | string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(outcomes[outcomes.length - 1]));
    });
    req.on('error', reject);
    if (Array.isArray(body)) for (const chunk of body) req.write(chunk);
    else req.write(body);
    req.end();
  });
}

describe('createRawBodyReader', () => {
  test('a plain body with its Content-Length: the exact bytes, multi-byte characters included', async () => {
    const body = '{"bank_name":"中国农业银行"}';
    expect(await send({ 'content-length': String(Buffer.byteLength(body)) }, body)).toEqual({ body });
  });

  test('exactly the limit is accepted; one byte more is a 413 (declared)', async () => {
    expect(await send({ 'content-length': '100' }, 'x'.repeat(100))).toEqual({ body: 'x'.repeat(100) });
    expect(await send({ 'content-length': '101' }, 'x'.repeat(101))).toEqual({ code: 'BODY_TOO_LARGE' });
  });

  test('chunked (no Content-Length): read by body-parser, the limit still holds', async () => {
    expect(await send({}, ['ab', 'cd'])).toEqual({ body: 'abcd' });
    expect(await send({}, ['x'.repeat(60), 'x'.repeat(60)])).toEqual({ code: 'BODY_TOO_LARGE' });
  });

  test('gzip: inflated by body-parser; the limit applies to the inflated size', async () => {
    expect(await send({ 'content-encoding': 'gzip' }, gzipSync('hello'))).toEqual({ body: 'hello' });
    expect(await send({ 'content-encoding': 'gzip' }, gzipSync('x'.repeat(1000)))).toEqual({ code: 'BODY_TOO_LARGE' });
  });

  test('Content-Encoding identity counts as plain', async () => {
    expect(await send({ 'content-encoding': 'Identity', 'content-length': '2' }, 'ok')).toEqual({ body: 'ok' });
  });

  test('a body that came in the packet with the headers is taken from the buffer, without listening to the stream', async () => {
    const body = '{"订单":"1"}';
    const head = `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    expect(await sendRaw([head + body], 0)).toEqual({ body });
    expect(subscriptions[0]).not.toContain('data');
  });

  test('a body that comes after the headers, in pieces, is read as it arrives', async () => {
    const head = 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n';
    expect(await sendRaw([head, '01234', '56789'], 30)).toEqual({ body: '0123456789' });
    expect(subscriptions[0]).toContain('data');
  });

  test('an empty body with Content-Length: 0', async () => {
    expect(await sendRaw(['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n'], 0)).toEqual({ body: '' });
  });

  test('a request destroyed before its body is read: BODY_MALFORMED at once, not at the timeout', async () => {
    const read = createRawBodyReader({ limit: 100, timeoutMs: 5000 });
    const req = Object.assign(new Readable({ read() {} }), { headers: { 'content-length': '10' } });
    const started = Date.now();
    // From a macrotask, as a request handler runs: the 'close' that destroy() schedules comes before the reader's next step.
    const { reading } = await new Promise<{ reading: Promise<Buffer> }>((resolve) =>
      setImmediate(() => {
        resolve({ reading: read(req as never, {} as never) });
        req.destroy();
      }),
    );
    await expect(reading).rejects.toMatchObject({ code: 'BODY_MALFORMED' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('the client closes mid-body: BODY_MALFORMED, at once', async () => {
    const settled = deferred<Outcome>();
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nonly part');
      setTimeout(() => socket.destroy(), 30);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => setTimeout(() => void outcomes[0].then(settled.resolve), 20));
    expect(await settled.promise).toEqual({ code: 'BODY_MALFORMED' });
  });

  test('a body slower than the read timeout: BODY_TIMEOUT', async () => {
    const settled = deferred<Outcome>();
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nslow');
    });
    socket.on('error', () => undefined);
    socket.on('data', () => {
      void outcomes[0].then(settled.resolve);
      socket.destroy();
    });
    expect(await settled.promise).toEqual({ code: 'BODY_TIMEOUT' });
  });
});

describe('parseByteLimit', () => {
  test.each([
    [1024, 1024],
    ['64kb', 65536],
    ['64KB', 65536],
    ['1.5mb', 1572864],
    ['100', 100],
    ['100b', 100],
    [' 2 kb ', 2048],
  ])('%p → %p', (input, bytes) => {
    expect(parseByteLimit(input)).toBe(bytes);
  });

  test.each([['64kbs'], ['-1'], [-1], [Number.NaN], [Infinity], ['lots'], [''], [null], [{}]])('%p is not a size', (input) => {
    expect(parseByteLimit(input)).toBeUndefined();
  });
});
