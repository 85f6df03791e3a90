/**
 * The body readers return promises and never throw synchronously, whatever
 * fails inside them: a caller that chains on them (as every adapter does)
 * gets a rejection with the error, never an exception out of the call.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { receivedNodeBody } from '../../lib/adapters/node-body';
import { readParsedBody } from '../../lib/core/read-body';
import type { BodyReading, RequestFacts } from '../../lib/core/request-facts';

const spec = { provider: 'test', mediaTypes: { 'application/json': 'json' }, needsRawBody: false } as unknown as Parameters<typeof readParsedBody>[0];
const reading: BodyReading = { bodyLimits: { limit: 1024, timeoutMs: 1000 }, readRaw: () => Promise.reject(new Error('not read here')) };

function facts(contentType: string, body: RequestFacts['body']): RequestFacts {
  return { req: undefined, method: 'POST', headers: { 'content-type': contentType }, url: '/', ip: undefined, body };
}

test('readParsedBody: a content type the provider never sends is a rejection (415), not a throw', async () => {
  let result: Promise<unknown> | undefined;
  expect(() => (result = readParsedBody(spec, facts('text/html', () => Promise.resolve({ raw: Buffer.from('{}') })), reading))).not.toThrow();
  await expect(result).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
});

test("readParsedBody: an adapter's body() that throws is a rejection with that error", async () => {
  const broken = new Error('adapter bug');
  let result: Promise<unknown> | undefined;
  expect(() =>
    (result = readParsedBody(
      spec,
      facts('application/json', () => {
        throw broken;
      }),
      reading,
    )),
  ).not.toThrow();
  await expect(result).rejects.toBe(broken);
});

test('receivedNodeBody: a reader or a parser-left lookup that throws is a rejection with that error', async () => {
  const req = new IncomingMessage(new Socket());
  const res = new ServerResponse(req);
  const thrown = new Error('reader bug');
  const throwingReader: BodyReading = {
    ...reading,
    readRaw: () => {
      throw thrown;
    },
  };
  let result: Promise<unknown> | undefined;
  expect(() => (result = receivedNodeBody(req, res, throwingReader, () => ({ raw: undefined, parsed: undefined })))).not.toThrow();
  await expect(result).rejects.toBe(thrown);

  // A stream that has ended was read by another parser: what it left is asked for.
  req.push(null);
  req.resume();
  await new Promise((resolve) => req.once('end', resolve));
  const leftThrows = () => {
    throw thrown;
  };
  expect(() => (result = receivedNodeBody(req, res, reading, leftThrows))).not.toThrow();
  await expect(result).rejects.toBe(thrown);
});
