import { Readable, type Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { WebhookError } from '../core/errors';
import { READ_ERRORS, timeoutError, type RawBodyReaderOptions } from './read-raw-body';

/** The headers that say how the body is sent. */
export interface WebBodyHeaders {
  contentEncoding: string | null;
  contentLength: string | null;
}

const INFLATERS: Readonly<Record<string, () => Transform>> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * Reads a Fetch API body stream as the Node reader reads a request: inflated
 * (gzip, deflate, br), cut off as soon as the inflated bytes pass the limit (a
 * compression bomb is a 413 after one chunk, never an unbounded buffer), under
 * the read timeout. On any failure the stream is cancelled: the server stops
 * receiving what nobody will read.
 */
export function readWebBody(body: ReadableStream<Uint8Array> | null, headers: WebBodyHeaders, limits: RawBodyReaderOptions): Promise<Buffer> {
  const encoding = (headers.contentEncoding ?? '').trim().toLowerCase();
  const identity = encoding === '' || encoding === 'identity';
  const inflater = identity ? undefined : Object.hasOwn(INFLATERS, encoding) ? INFLATERS[encoding]() : null;
  const declared = identity && headers.contentLength !== null && /^\d{1,15}$/.test(headers.contentLength) ? Number(headers.contentLength) : undefined;
  if (inflater === null || (declared !== undefined && declared > limits.limit)) {
    void body?.cancel().catch(ignore);
    return Promise.reject(new WebhookError(...READ_ERRORS[inflater === null ? 'encoding.unsupported' : 'entity.too.large']));
  }
  if (body === null) return Promise.resolve(Buffer.alloc(0));
  const source = Readable.fromWeb(body as WebReadableStream<Uint8Array>);
  return collect(source, inflater, declared, limits);
}

function collect(source: Readable, inflater: Transform | undefined, declared: number | undefined, limits: RawBodyReaderOptions): Promise<Buffer> {
  const bytes = inflater ? source.pipe(inflater) : source;
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const timer = setTimeout(() => fail(timeoutError(limits.timeoutMs)), limits.timeoutMs);
    function fail(error: WebhookError): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      source.destroy();
      inflater?.destroy();
      reject(error);
    }
    bytes.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limits.limit) return fail(new WebhookError(...READ_ERRORS['entity.too.large']));
      chunks.push(chunk);
    });
    bytes.on('end', () => {
      if (declared !== undefined && received !== declared) return fail(new WebhookError(...READ_ERRORS['request.size.invalid']));
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(Buffer.concat(chunks, received));
    });
    source.on('error', (cause) => fail(new WebhookError(...READ_ERRORS['request.aborted'], { cause })));
    inflater?.on('error', (cause) => fail(new WebhookError(...READ_ERRORS['stream.corrupt'], { cause })));
  });
}

function ignore(): void {}
