import type { IncomingMessage, ServerResponse } from 'node:http';
import { ReadableStream } from 'node:stream/web';

/** Where each bridged Request came from, as a Fetch runtime knows it (Bun: `server.requestIP`). */
export const bridgedClientIp = new WeakMap<Request, string>();

/**
 * Serves a Fetch API handler from node:http, as a Fetch runtime does: the
 * body is a stream the handler pulls, and cancelling it drains the rest
 * (the connection still carries the answer) instead of tearing it down.
 */
export function fetchBridge(handler: (request: Request) => Promise<Response>, before?: (request: Request) => Promise<void>) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url}`, {
      method: req.method,
      headers,
      body: hasBody ? (bodyStream(req) as any) : undefined,
      duplex: 'half',
    } as RequestInit);
    bridgedClientIp.set(request, req.socket.remoteAddress ?? '');
    void (async () => {
      await before?.(request);
      const response = await handler(request);
      const out: string[] = [];
      response.headers.forEach((value, name) => out.push(name, value));
      const body = Buffer.from(await response.arrayBuffer());
      res.writeHead(response.status, out);
      res.end(body);
    })().catch((error: unknown) => {
      res.writeHead(599);
      res.end(String(error));
    });
  };
}

function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.pause();
      req.on('data', (chunk: Buffer) => {
        if (done) return;
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.on('end', () => {
        if (done) return;
        done = true;
        controller.close();
      });
      req.on('close', () => {
        if (done) return;
        done = true;
        controller.error(new Error('client aborted'));
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      done = true;
      req.resume();
    },
  });
}
