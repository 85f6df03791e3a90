'use strict';
// A stand-in for the merchant's database: payout orders and their state.
// Real apps update rows in a transaction; the shape of the work is the same.

class Orders {
  constructor() {
    this.byId = new Map();
  }

  upsert(id, changes) {
    const order = { id, state: 'created', history: [], ...this.byId.get(id), ...changes };
    order.history = [...(this.byId.get(id)?.history ?? []), changes.state];
    this.byId.set(id, order);
    return order;
  }

  get(id) {
    return this.byId.get(id);
  }

  all() {
    return [...this.byId.values()];
  }
}

module.exports = { Orders };
