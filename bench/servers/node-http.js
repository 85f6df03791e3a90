'use strict';
// The ceiling: node:http reading the body and answering `success`, with no
// framework and no checks. Nothing served by Express can go faster.
module.exports = function createNodeHttpServer(_options, bench) {
  return {
    listener(req, res) {
      req.resume();
      req.once('end', () => {
        bench.handled();
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 7 });
        res.end('success');
      });
    },
  };
};
