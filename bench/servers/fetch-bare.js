'use strict';
// The Fetch handler's own bare route: the same node:http → Request bridge,
// a handler that reads the body and answers `success`, no checks.
const { fetchBridge } = require('./fetch-bridge');

module.exports = function createFetchBareServer(_options, bench) {
  return {
    listener: fetchBridge(async (request) => {
      await request.arrayBuffer();
      bench.handled();
      return new Response('success', { headers: { 'content-type': 'text/plain; charset=utf-8' } });
    }),
  };
};
