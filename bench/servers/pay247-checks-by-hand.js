'use strict';
// The checks alone, over node:http: what any Pay247 route that verifies and
// deduplicates must do, glued by hand with as few steps as possible, from the
// package's own parts (UTF-8 decode, the JSON parser, the signature check,
// the event, the memory store). No method, Content-Type or length checks, no
// deadline, no claim renewal, no tracing, no error answers: not a route to
// run, a yardstick. The listener (pay247-json-node) against this is what the
// pipeline costs; this against the ceiling is what the checks cost.
const { MemoryDedupStore } = require('../../dist');
const { pay247Spec } = require('../../dist/providers/pay247');
const { parseJsonObject } = require('../../dist/body/json');

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const SUCCESS_HEADERS = ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', '7'];

module.exports = function createPay247ChecksByHand(options, bench) {
  const spec = pay247Spec();
  const credentials = spec.credentials({ secret: options.secret });
  const store = new MemoryDedupStore();
  let token = 0;

  function handle(req, raw) {
    const text = UTF8.decode(raw);
    const body = { format: 'json', text, fields: parseJsonObject(text, true) };
    const signedFields = spec.authenticate(body, { headers: req.headers, url: req.url }, credentials);
    const event = { provider: 'pay247', ...spec.toEvent(body, credentials), signedFields, receivedAt: new Date() };
    const key = `pay247:${event.id}`;
    const claim = `t${token++}`;
    return store.claim(key, 30_000, claim).then((state) => {
      // Every body the harness sends is a new notification: anything else is a failed run.
      if (state !== 'claimed') throw new Error(`not claimed: ${state}`);
      bench.handled();
      return store.complete(key, 86_400_000, claim);
    });
  }

  return {
    listener(req, res) {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.once('end', () => {
        // A body the checks refuse answers 500, which fails the run (the harness sends none).
        const refuse = () => res.writeHead(500).end();
        let handled;
        try {
          handled = handle(req, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
        } catch {
          return refuse();
        }
        handled.then(() => res.writeHead(200, SUCCESS_HEADERS).end('SUCCESS'), refuse);
      });
    },
  };
};
