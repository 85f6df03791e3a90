'use strict';
// One provider's handler mounted on a route: the full path a real
// notification takes (read, parse, verify, claim, onEvent, complete, ack).
// The variant names the factory exported by the package, its options (JSON:
// secrets, keys), which store or inbox to use, and the server (`adapter`):
// Express 5 by default, or node:http, the Fetch handler (through
// fetch-bridge.js) or Fastify, each from its subpath.
const path = require('node:path');
const pkg = require('../../dist');
const { fetchBridge } = require('./fetch-bridge');
const { mountOtherRoute } = require('./other-route');

/** Each server: where its factories come from, and how a handler is mounted at `route`. */
const ADAPTERS = {
  express: {
    entry: pkg,
    mount: (handler, route) => {
      const app = require('express')();
      app.post(route, handler);
      // The app's other, unrelated route, probed under load (bench/harness).
      mountOtherRoute(app);
      return app;
    },
  },
  // The listener is the whole server, as `http.createServer(listener)` has it.
  node: { entry: require('../../dist/node'), mount: (handler) => handler },
  fetch: { entry: require('../../dist/fetch'), mount: (handler) => fetchBridge(handler) },
  fastify: {
    entry: require('../../dist/fastify'),
    mount: async (plugin, route) => {
      const app = require('fastify')();
      await app.register(plugin, { path: route });
      await app.ready();
      return app.routing;
    },
  },
};

/** Dedup stores by name; `services` holds what the harness started (e.g. redis.url), `workDir` a scratch directory. */
const STORES = {
  memory: () => new pkg.MemoryDedupStore(),
  redis: (services) => new pkg.RedisDedupStore({ url: services.redis.url }),
  postgres: (services) => new pkg.PostgresDedupStore({ connectionString: services.postgres.url }),
};

/** Inboxes by name (issue 9). A variant without `inbox` acks after the handler, as by default. */
const INBOXES = {
  sqlite: (_services, workDir) => new pkg.SqliteInbox({ path: path.join(workDir, 'inbox.db') }),
  redis: (services) => new pkg.RedisInbox({ url: services.redis.url }),
  'redis-aof': (services) => new pkg.RedisInbox({ url: services['redis-aof'].url }),
  // Not a real inbox: the package's inbox code over a Map (bench/servers/memory-inbox.js).
  memory: () => new (require('./memory-inbox').MemoryInbox)(),
};

/**
 * OpenTelemetry as an app may have it: `absent` hides @opentelemetry/api from
 * require (as in an app that does not install it); `sdk` registers the real
 * SDK, recording every span and metric (spans are dropped, not exported, so
 * the cost measured is the package's, not an exporter's). Default: the API
 * installed (a dev dependency here) and no provider registered.
 */
function setUpOpenTelemetry(mode) {
  if (mode === 'absent') {
    const Module = require('node:module');
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      if (request === '@opentelemetry/api') throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });
      return resolve.call(this, request, ...rest);
    };
  } else if (mode === 'sdk') {
    const { NodeTracerProvider, NoopSpanProcessor } = require('@opentelemetry/sdk-trace-node');
    const { MeterProvider, MetricReader } = require('@opentelemetry/sdk-metrics');
    new NodeTracerProvider({ spanProcessors: [new NoopSpanProcessor()] }).register();
    class Reader extends MetricReader {
      async onShutdown() {}
      async onForceFlush() {}
    }
    require('@opentelemetry/api').metrics.setGlobalMeterProvider(new MeterProvider({ readers: [new Reader()] }));
  }
}

/**
 * `accounts` (account id → credentials): a route for many merchant accounts,
 * resolveCredentials reading that table as a merchant's database would
 * (async), its answers cached by the middleware.
 */
function accountsResolver(accounts) {
  if (accounts === undefined) return {};
  return { resolveCredentials: async (account) => (Object.hasOwn(accounts, account) ? accounts[account] : undefined) };
}

module.exports = async function createWebhookRouteServer(options, bench) {
  setUpOpenTelemetry(options.otel);
  const adapter = ADAPTERS[options.adapter ?? 'express'];
  const factory = adapter.entry[options.factory];
  if (typeof factory !== 'function') throw new Error(`the package exports no ${options.factory} for ${options.adapter ?? 'express'}`);
  const store = STORES[options.store ?? 'memory'](options.services);
  const inbox = options.inbox === undefined ? undefined : INBOXES[options.inbox](options.services, options.workDir);
  const handler = factory({
    ...options.middleware,
    ...accountsResolver(options.accounts),
    store,
    ...(inbox === undefined ? {} : { inbox }),
    onEvent: async () => {
      bench.handled();
    },
  });
  return {
    listener: await adapter.mount(handler, options.path),
    async close() {
      // The store (the memory store has no close()) and the inbox; the process exits right after.
      for (const resource of [store, inbox]) {
        const close = resource?.close;
        if (typeof close === 'function') await close.call(resource);
      }
    },
  };
};
