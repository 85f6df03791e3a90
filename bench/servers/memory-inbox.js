'use strict';
// A stand-in inbox for the benchmark only: the package's own inbox code (the
// put, the delivery worker, its leases, timers and traces, the event's
// serialization) over a storage that keeps entries in a Map. Its calls answer
// at the end of the turn, as the SQLite inbox's thread does, and cost next to
// nothing: what the variant measures is what the inbox adds before any real
// storage writes anything, the floor a durable backend starts from. Not an
// inbox to use: nothing survives the process.
const { DurableInbox } = require('../../dist/inbox/durable-inbox');

const atEndOfTurn = (value) => new Promise((resolve) => setImmediate(() => resolve(value)));

class MemoryInboxStorage {
  constructor() {
    this.entries = new Map();
    this.leases = 0;
  }

  put(key, provider, event, now) {
    if (this.entries.has(key)) return atEndOfTurn('duplicate');
    this.entries.set(key, { key, provider, event, state: 'pending', dueAt: now, lease: undefined, leaseUntil: 0, attempts: 0, budgetFrom: now });
    return atEndOfTurn('stored');
  }

  putLeased(key, provider, event, now, leaseMs) {
    if (this.entries.has(key)) return atEndOfTurn('duplicate');
    const lease = `lease-${++this.leases}`;
    this.entries.set(key, { key, provider, event, state: 'pending', dueAt: now, lease, leaseUntil: now + leaseMs, attempts: 1, budgetFrom: now });
    return atEndOfTurn({ key, provider, event, attempt: 1, budgetFrom: now, lease });
  }

  lease(providers, limit, now, leaseMs) {
    const leased = [];
    for (const entry of this.entries.values()) {
      if (leased.length === limit) break;
      if (entry.state !== 'pending' || entry.dueAt > now || entry.leaseUntil > now || !providers.includes(entry.provider)) continue;
      entry.lease = `lease-${++this.leases}`;
      entry.leaseUntil = now + leaseMs;
      entry.attempts++;
      leased.push({ key: entry.key, provider: entry.provider, event: entry.event, attempt: entry.attempts, budgetFrom: entry.budgetFrom, lease: entry.lease });
    }
    return atEndOfTurn(leased);
  }

  owned(leased) {
    const entry = this.entries.get(leased.key);
    return entry !== undefined && entry.state === 'pending' && entry.lease === leased.lease ? entry : undefined;
  }

  renew(leased, now, leaseMs) {
    const entry = this.owned(leased);
    if (entry !== undefined) entry.leaseUntil = now + leaseMs;
    return atEndOfTurn(entry !== undefined);
  }

  // Done entries are dropped at once: the stand-in keeps no history, so its Map stays small.
  complete(leased) {
    const entry = this.owned(leased);
    if (entry !== undefined) this.entries.delete(leased.key);
    return atEndOfTurn(entry !== undefined);
  }

  completeLate(leased) {
    return atEndOfTurn(this.entries.delete(leased.key));
  }

  retry(leased, nextAttemptAt) {
    const entry = this.owned(leased);
    if (entry !== undefined) Object.assign(entry, { dueAt: nextAttemptAt, lease: undefined, leaseUntil: 0 });
    return atEndOfTurn(entry !== undefined);
  }

  bury(leased) {
    const entry = this.owned(leased);
    if (entry !== undefined) entry.state = 'dead';
    return atEndOfTurn(entry !== undefined);
  }

  prune() {
    return atEndOfTurn(undefined);
  }

  // What the benchmark never calls (the dashboard and CLI's reads and admin operations).
  list() {
    return atEndOfTurn([]);
  }
  get() {
    return atEndOfTurn(undefined);
  }
  history() {
    return atEndOfTurn([]);
  }
  counts() {
    return atEndOfTurn([]);
  }
  replay() {
    return atEndOfTurn([]);
  }
  purge() {
    return atEndOfTurn(0);
  }
  close() {
    return atEndOfTurn(undefined);
  }
}

class MemoryInbox extends DurableInbox {
  constructor(options = {}) {
    super('MemoryInbox (bench stand-in)', new MemoryInboxStorage(), options);
  }
}

module.exports = { MemoryInbox };
