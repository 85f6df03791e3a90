/**
 * Property-based: random bodies, headers and mutations of genuine
 * notifications, thrown at every provider. Invariants: no 5xx (nothing here
 * makes a handler fail), no handler call without valid authentication, and
 * the process keeps answering.
 */
import fc from 'fast-check';
import type { WebhookError } from '../../lib';
import { EXPRESS_VERSIONS } from '../helpers/express-versions';
import { listen, type Running } from '../helpers/server';
import { FIXTURES, MOUNT_PATH, type Sendable } from './fixtures';

const express = EXPRESS_VERSIONS[0];
const CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'application/xml',
  'text/xml; charset=utf-8',
  'text/plain',
  'application/json; charset=latin1',
  'multipart/form-data; boundary=x',
  '',
];
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

describe.each(FIXTURES.map((fixture) => ({ ...fixture, name: fixture.variant ? `${fixture.provider} (${fixture.variant})` : fixture.provider })))('fuzz: $name', (fixture) => {
  let server: Running;
  let base: string;
  const calls: unknown[] = [];
  const errors: WebhookError[] = [];

  beforeAll(async () => {
    const app = express.create();
    app.post(MOUNT_PATH, fixture.mount({ onEvent: (event) => void calls.push(event), onError: (error) => void errors.push(error), readTimeoutMs: 2000 }));
    server = await listen(app);
    base = server.url + MOUNT_PATH;
  });
  afterAll(() => server.close());

  async function send(s: Sendable): Promise<number> {
    const headers = Object.fromEntries(Object.entries(s.headers).filter(([, v]) => v !== ''));
    const response = await fetch(base + s.path, { method: 'POST', headers, body: s.body });
    await response.arrayBuffer();
    return response.status;
  }

  test('random bodies under random content types: a 4xx, never a handler call', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json(), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b))), fc.constantFrom(...CONTENT_TYPES), async (body, type) => {
        const before = calls.length;
        const status = await send({ path: '', headers: { 'content-type': type }, body });
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
        expect(calls.length).toBe(before);
      }),
      { numRuns: RUNS },
    );
  });

  test('random objects (and the genuine ones with random extra fields) with a forged signature: 4xx, never a handler call', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.string(), fc.integer(), fc.constant(null))), fc.string(), async (extra, signature) => {
        const before = calls.length;
        const genuine = fixture.genuine('json');
        const merged = JSON.stringify({ ...extra, ...JSON.parse(String(genuine.body)) });
        const status = await send(fixture.withSignature({ ...genuine, body: merged }, signature));
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
        expect(calls.length).toBe(before);
      }),
      { numRuns: RUNS },
    );
  });

  test('genuine notifications with one byte changed: refused with a 4xx, or delivered with every signed field as signed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 0, max: 255 }), async (position, byte) => {
        const genuine = fixture.genuine('json');
        const bytes = Buffer.from(String(genuine.body));
        const at = position % bytes.length;
        if (bytes[at] === byte) return;
        bytes[at] = byte;
        const before = calls.length;
        const status = await send({ ...genuine, body: bytes });
        if (status === 200) {
          // Accepted only when the change touched what the signature does not cover: every field it
          // says it verified still holds the genuine value.
          const event = calls[calls.length - 1] as { signedFields: readonly string[] };
          expect(calls.length).toBe(before + 1);
          const original = JSON.parse(String(genuine.body)) as Record<string, unknown>;
          const received = fixture.topLevel(event);
          for (const name of event.signedFields) expect(JSON.stringify(received[name])).toBe(JSON.stringify(original[name]));
        } else {
          expect(status).toBeGreaterThanOrEqual(400);
          expect(status).toBeLessThan(500);
          expect(calls.length).toBe(before);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('random header values never crash anything, and the server still handles a genuine notification', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('content-encoding', 'content-type', 'v-signature', 'v-timestamp', 'v-api-key', 'v-nonce-str', 'sign', 'x-webhook-token', 'x-forwarded-for'), fc.string({ maxLength: 40 }).filter((v) => /^[\x20-\x7e]*$/.test(v))),
        async (headers) => {
          const genuine = fixture.genuine('json');
          const status = await send({ ...genuine, headers: { ...genuine.headers, ...headers } });
          expect(status).toBeLessThan(500);
        },
      ),
      { numRuns: RUNS },
    );
    const before = calls.length;
    expect(await send(fixture.genuine('json'))).toBe(fixture.success.status);
    expect(calls.length).toBe(before + 1);
    expect(errors.filter((e) => e.status >= 500)).toEqual([]);
  });
});
