'use strict';
// The yardstick over node:http: Pay247's checks glued by hand
// (bench/harness/pay247-checks.js), the body collected as the ceiling does.
// No method, Content-Type or length checks, no deadline, no claim renewal,
// no tracing, no error answers: not a route to run. The listener
// (pay247-json-node) against this is what the pipeline costs; this against
// the ceiling is what the checks cost.
const { pay247ChecksByHand } = require('../harness/pay247-checks');

const SUCCESS_HEADERS = ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', '7'];

module.exports = function createPay247ChecksByHand(options, bench) {
  const check = pay247ChecksByHand(options.secret);
  const onEvent = () => bench.handled();
  return {
    listener(req, res) {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.once('end', () => {
        // A body the checks refuse answers 500, which fails the run (the harness sends none).
        const refuse = () => res.writeHead(500).end();
        let checked;
        try {
          checked = check(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), { headers: req.headers, url: req.url }, onEvent);
        } catch {
          return refuse();
        }
        checked.then(() => res.writeHead(200, SUCCESS_HEADERS).end('SUCCESS'), refuse);
      });
    },
  };
};
