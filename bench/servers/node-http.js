'use strict';
// The ceiling: node:http reading the whole body into one Buffer (as every
// route measured here does before it can verify anything) and answering
// `success`, with no framework, no parsing and no checks. Nothing served
// through node:http can go faster.
module.exports = function createNodeHttpServer(_options, bench) {
  return {
    listener(req, res) {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.once('end', () => {
        // Looked at, so the whole body is really assembled; every request here has one.
        if (Buffer.concat(chunks).length === 0) return void res.writeHead(400).end();
        bench.handled();
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 7 });
        res.end('success');
      });
    },
  };
};
