'use strict';
// Pay247's checks alone, glued by hand with as few steps as possible, from the
// package's own parts (UTF-8 decode, the JSON parser with its repeated-key
// check, the signature check, the event, the memory store): what any route
// that verifies and deduplicates must do, and no more. A yardstick for the
// pipeline, shared by the HTTP yardstick (bench/servers/pay247-checks-by-hand.js)
// and bench/allocation.js.
const { MemoryDedupStore } = require('../../dist');
const { pay247Spec } = require('../../dist/providers/pay247');
const { parseJsonObject } = require('../../dist/body/json');

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * `check(raw, { headers, url }, onEvent)` over a memory store of its own:
 * resolves once onEvent ran and the notification is marked done. A refused
 * body throws; a notification already claimed rejects (the harness sends
 * none twice).
 */
function pay247ChecksByHand(secret) {
  const spec = pay247Spec();
  const credentials = spec.credentials({ secret });
  const store = new MemoryDedupStore();
  let token = 0;
  return function check(raw, request, onEvent) {
    const text = UTF8.decode(raw);
    const body = { format: 'json', text, fields: parseJsonObject(text, true) };
    const signedFields = spec.authenticate(body, request, credentials);
    const event = { provider: 'pay247', ...spec.toEvent(body, credentials), signedFields, receivedAt: new Date() };
    const key = `pay247:${event.id}`;
    const claim = `t${token++}`;
    return store
      .claim(key, 30_000, claim)
      .then((state) => {
        if (state !== 'claimed') throw new Error(`not claimed: ${state}`);
        return onEvent(event);
      })
      .then(() => store.complete(key, 86_400_000, claim));
  };
}

module.exports = { pay247ChecksByHand };
