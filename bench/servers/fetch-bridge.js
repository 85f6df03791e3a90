'use strict';
// Serves a Fetch API handler from node:http, as a Fetch runtime does: the
// body is a stream the handler pulls, and cancelling it drains the rest (the
// connection still carries the answer) instead of tearing the connection
// down. Used by the bench's Fetch variants and by the tests' Fetch server.
const { ReadableStream } = require('node:stream/web');

/** Where each bridged Request came from, as a Fetch runtime knows it (Bun: `server.requestIP`). */
const bridgedClientIp = new WeakMap();

function fetchBridge(handler, before) {
  return (req, res) => {
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url}`, {
      method: req.method,
      headers,
      body: hasBody ? bodyStream(req) : undefined,
      duplex: 'half',
    });
    bridgedClientIp.set(request, req.socket.remoteAddress ?? '');
    (async () => {
      if (before) await before(request);
      const response = await handler(request);
      const out = [];
      response.headers.forEach((value, name) => out.push(name, value));
      const body = Buffer.from(await response.arrayBuffer());
      res.writeHead(response.status, out);
      res.end(body);
    })().catch((error) => {
      res.writeHead(599);
      res.end(String(error));
    });
  };
}

function bodyStream(req) {
  let done = false;
  return new ReadableStream({
    start(controller) {
      req.pause();
      req.on('data', (chunk) => {
        if (done) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
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

module.exports = { fetchBridge, bridgedClientIp };
