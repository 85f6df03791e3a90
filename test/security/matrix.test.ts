/**
 * Hostile input and failure, against every provider on Express 5 and 4.
 * Each case: the status of the answers table, the provider's failure
 * body, no handler call, onError told, and the server healthy afterwards.
 */
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { WebhookError } from '../../lib';
import { deferred, until } from '../helpers/async';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { listen, type Running } from '../helpers/server';
import { recordingLogger, type LogLine } from '../helpers/webhook-app';
import { FIXTURES, MOUNT_PATH, type Sendable } from './fixtures';

const LIMIT = 8 * 1024;
const OBJECT_PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

type Behaviour = 'ok' | 'throw' | 'reject' | 'throw-non-error' | 'hang' | 'gate';

const cases = FIXTURES.flatMap((fixture) => EXPRESS_VERSIONS.map((express) => ({ fixture, express, name: `${fixture.provider}${fixture.variant ? ` (${fixture.variant})` : ''} on ${express.name}` })));

describe.each(cases)('$name', ({ fixture, express }) => {
  let server: Running;
  let base: string;
  const calls: unknown[] = [];
  const errors: WebhookError[] = [];
  const answers: string[] = [];
  const logged: LogLine[] = [];
  let behaviour: Behaviour = 'ok';
  let gate = deferred();
  let started = deferred();

  beforeAll(async () => {
    const app = express.create();
    app.post(
      MOUNT_PATH,
      fixture.mount({
        limit: LIMIT,
        // Long enough that the gated duplicate tests' first run does not time out on a loaded machine; the one hang test waits it out.
        handlerTimeoutMs: 1000,
        readTimeoutMs: 300,
        onError: (error) => errors.push(error),
        logger: recordingLogger(logged),
        onEvent: async (event) => {
          calls.push(event);
          started.resolve();
          switch (behaviour) {
            case 'throw':
              throw new Error('handler exploded');
            case 'reject':
              return Promise.reject(new Error('handler rejected'));
            case 'throw-non-error':
              throw { not: 'an error' };
            case 'hang':
              return new Promise(() => undefined);
            case 'gate':
              return gate.promise;
            default:
              return undefined;
          }
        },
      }),
    );
    server = await listen(app);
    base = `${server.url}${MOUNT_PATH}`;
  });

  afterAll(async () => {
    await server.close();
    // Nothing secret or sensitive in any answer, onError message or log line, in any case above.
    const said = [...answers, ...errors.map((e) => `${e.code} ${e.message}`), ...logged.map((l) => l.line)].join('\n');
    expect(logged.length).toBeGreaterThan(10);
    for (const value of [...fixture.secrets, ...fixture.sensitive]) expect(said).not.toContain(value);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(OBJECT_PROTOTYPE_KEYS);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  beforeEach(() => {
    calls.length = 0;
    errors.length = 0;
    behaviour = 'ok';
    gate = deferred();
    started = deferred();
  });

  async function send(s: Sendable): Promise<{ status: number; body: string }> {
    const response = await fetch(base + s.path, { method: 'POST', headers: s.headers, body: s.body });
    const body = await response.text();
    answers.push(body);
    return { status: response.status, body };
  }

  async function expectRefused(s: Sendable, statuses: number | number[]): Promise<void> {
    const allowed = ([] as number[]).concat(statuses);
    const reply = await send(s);
    expect(allowed).toContain(reply.status);
    expect(fixture.isFailureBody(reply.body)).toBe(true);
    expect(calls).toHaveLength(0);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(allowed).toContain(errors[0].status);
    await expectHealthy();
  }

  async function expectHealthy(): Promise<void> {
    const before = calls.length;
    const reply = await send(fixture.genuine());
    expect(reply.status).toBe(fixture.success.status);
    expect(fixture.success.body(reply.body)).toBe(true);
    expect(calls).toHaveLength(before + 1);
  }

  const json = (s: Sendable, body: string | Buffer, type = 'application/json'): Sendable => ({ ...s, headers: { ...s.headers, 'content-type': type }, body });
  const genuineJson = () => fixture.genuine('json');
  const text = (s: Sendable) => String(s.body);

  describe('malformed bodies', () => {
    test.each([
      ['malformed JSON', '{"a":'],
      ['a JSON array', '[{"a":1}]'],
      ['a JSON scalar', '42'],
      ['a JSON string', '"text"'],
      ['JSON null', 'null'],
      ['an empty body', ''],
    ])('%s → 400', async (_name, body) => {
      await expectRefused(json(genuineJson(), body), 400);
    });

    test('a truncated body → 400', async () => {
      const s = genuineJson();
      await expectRefused(json(s, text(s).slice(0, Math.floor(text(s).length / 2))), 400);
    });

    test('invalid UTF-8 → 400', async () => {
      const s = genuineJson();
      const bytes = Buffer.from(text(s));
      const quote = bytes.indexOf('"', 2);
      await expectRefused(json(s, Buffer.concat([bytes.subarray(0, quote + 1), Buffer.from([0xc3, 0x28, 0xff]), bytes.subarray(quote + 1)])), 400);
    });

    test('a UTF-8 byte order mark → 400', async () => {
      const s = genuineJson();
      await expectRefused(json(s, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text(s))])), 400);
    });

    test('deeply nested JSON → 400, no stack overflow', async () => {
      await expectRefused(json(genuineJson(), '{"a":'.repeat(1000) + '1' + '}'.repeat(1000)), 400);
    });
  });

  describe('content types', () => {
    test.each([
      ['a content type the provider never sends', 'text/plain'],
      ['a made-up content type', 'application/x-evil'],
      ['a charset the provider never sends', 'application/json; charset=iso-8859-1'],
      ['UTF-16', 'application/json; charset=utf-16'],
    ])('%s → 415', async (_name, type) => {
      const s = genuineJson();
      await expectRefused(json(s, s.body, type), 415);
    });

    test('no content type → 415', async () => {
      const s = genuineJson();
      const headers = { ...s.headers };
      delete headers['content-type'];
      const response = await fetch(base + s.path, { method: 'POST', headers, body: new Blob([s.body]) });
      expect(response.status).toBe(415);
      expect(fixture.isFailureBody(await response.text())).toBe(true);
      expect(calls).toHaveLength(0);
    });

    test('a lying content type (a form body labelled JSON) → 400', async () => {
      await expectRefused(json(genuineJson(), 'order_no=1&status=2&sign=abc'), 400);
    });
  });

  describe('size and time', () => {
    test('a body over the limit → 413', async () => {
      await expectRefused(json(genuineJson(), `{"pad":"${'x'.repeat(LIMIT)}"}`), 413);
    });

    test('a gzip bomb → 413', async () => {
      const bomb = gzipSync(`{"pad":"${'x'.repeat(20_000_000)}"}`);
      await expectRefused({ ...json(genuineJson(), bomb), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }, 413);
    });

    test('an unknown content encoding → 415', async () => {
      const s = genuineJson();
      await expectRefused({ ...s, headers: { ...s.headers, 'content-encoding': 'x-unknown' } }, 415);
    });

    test('a corrupt gzip stream → 400', async () => {
      const s = genuineJson();
      await expectRefused({ ...s, headers: { ...s.headers, 'content-encoding': 'gzip' }, body: Buffer.from('not gzip at all') }, 400);
    });

    test('a body sent byte by byte is cut off by the read timeout → 408', async () => {
      const s = genuineJson();
      const body = Buffer.from(text(s));
      const { port } = new URL(base);
      const head = Object.entries(s.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1');
        let received = '';
        let i = 0;
        const drip = setInterval(() => {
          if (i < body.length && !socket.destroyed) socket.write(body.subarray(i, ++i));
        }, 40);
        socket.on('data', (chunk) => (received += chunk.toString()));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearInterval(drip);
          resolve(received);
        });
        socket.write(`POST ${MOUNT_PATH}${s.path} HTTP/1.1\r\nHost: x\r\n${head}Content-Length: ${body.length}\r\n\r\n`);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(calls).toHaveLength(0);
      expect(errors.map((e) => e.code)).toEqual(['BODY_TIMEOUT']);
      await expectHealthy();
    });
  });

  describe('signatures', () => {
    test.each([
      ['missing', undefined],
      ['empty', ''],
      ['the wrong length', 'abc123'],
      ['not hex', 'zz'.repeat(16)],
      ['not ASCII', 'é'.repeat(32)],
      ['absurdly long', 'a'.repeat(4000)],
    ])('%s → 401', async (_name, signature) => {
      await expectRefused(fixture.withSignature(genuineJson(), signature), 401);
    });

    test('an array / a value sent twice → refused (400 repeated key or 401)', async () => {
      const s = genuineJson();
      await expectRefused(fixture.withSignature(s, ['a', 'b']), [400, 401]);
    });

    test('valid for another secret → 401', async () => {
      await expectRefused(fixture.signedWithAnotherKey(), 401);
    });
  });

  describe('keys', () => {
    const inject = (s: Sendable, fragment: { json: string; form: string; xml: string }): Sendable => {
      const type = s.headers['content-type'];
      const body = text(s);
      if (type.includes('json')) return { ...s, body: body.replace('{', `{${fragment.json},`) };
      if (type.includes('xml')) return { ...s, body: body.replace('<response>', `<response>${fragment.xml}`) };
      return { ...s, body: `${fragment.form}&${body}` };
    };

    test.each(['json', 'form', 'xml'] as const)('a repeated key (%s) → 400', async (format) => {
      if (!fixture.formats.includes(format)) return;
      await expectRefused(inject(fixture.genuine(format), { json: '"dup":"1","dup":"2"', form: 'dup=1&dup=2', xml: '<dup>1</dup><dup>2</dup>' }), 400);
    });

    test.each(['__proto__', 'constructor', 'prototype'])('%s as a field name → 400 in every format, nothing polluted', async (name) => {
      for (const format of fixture.formats) {
        errors.length = 0;
        calls.length = 0;
        await expectRefused(inject(fixture.genuine(format), { json: `"${name}":{"polluted":true}`, form: `${name}=polluted`, xml: `<${name}>polluted</${name}>` }), 400);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    test('hasOwnProperty as a field name is plain data: refused if the signature covers it, else delivered as a string', async () => {
      for (const format of fixture.formats) {
        calls.length = 0;
        const reply = await send(inject(fixture.genuine(format), { json: '"hasOwnProperty":"x"', form: 'hasOwnProperty=x', xml: '<hasOwnProperty>x</hasOwnProperty>' }));
        if (fixture.signsAllFields) {
          // 401: the signature does not cover the extra field; 400: the XML parser refuses inherited names outright.
          expect([400, 401]).toContain(reply.status);
          expect(calls).toHaveLength(0);
        } else {
          expect(reply.status).toBe(200);
          expect(fixture.topLevel(calls[0]).hasOwnProperty).toBe('x');
        }
      }
      await expectHealthy();
    });

    test('bracket keys in a form are never nested: outside the name syntax, refused (400), nothing polluted', async () => {
      if (!fixture.formats.includes('form')) return;
      await expectRefused(inject(fixture.genuine('form'), { json: '', form: 'a[b]=1&c[__proto__][polluted]=1', xml: '' }), 400);
      expect(errors[0].code).toBe('BODY_INVALID');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('handler failures', () => {
    test.each([
      ['throws', 'throw', 'HANDLER_FAILED'],
      ['rejects', 'reject', 'HANDLER_FAILED'],
      ['throws a non-Error', 'throw-non-error', 'HANDLER_FAILED'],
      ['never settles', 'hang', 'HANDLER_TIMEOUT'],
    ] as const)('a handler that %s → 500, failure body, onError told', async (_name, how, code) => {
      behaviour = how;
      const reply = await send(genuineJson());
      expect(reply.status).toBe(500);
      expect(fixture.isFailureBody(reply.body)).toBe(true);
      expect(errors.map((e) => e.code)).toEqual([code]);
      behaviour = 'ok';
      await expectHealthy();
    });

    test('concurrent duplicates: exactly one runs; a retry while it runs → 503; after it finished → acked, not rerun', async () => {
      behaviour = 'gate';
      const s = genuineJson();
      const first = send(s);
      await started.promise;
      const during = await Promise.all(Array.from({ length: 5 }, () => send(s)));
      expect(during.map((r) => r.status)).toEqual([503, 503, 503, 503, 503]);
      for (const r of during) expect(fixture.isFailureBody(r.body)).toBe(true);
      gate.resolve();
      expect((await first).status).toBe(fixture.success.status);
      const after = await send(s);
      expect(after.status).toBe(fixture.success.status);
      expect(calls).toHaveLength(1);
    });

    test('many identical notifications at once: the handler runs once', async () => {
      behaviour = 'gate';
      const s = genuineJson();
      const all = Array.from({ length: 20 }, () => send(s));
      // Released once a duplicate has been refused while the first one runs: the race happened.
      await until(() => errors.some((e) => e.code === 'IN_FLIGHT'));
      gate.resolve();
      const replies = await Promise.all(all);
      expect(calls).toHaveLength(1);
      // Each was either the one that ran, a duplicate refused while it ran, or a duplicate acked after it finished.
      for (const r of replies) expect([fixture.success.status, 503]).toContain(r.status);
    });
  });
});
