'use strict';
// One provider's middleware mounted on an Express 5 route: the full path a
// real notification takes (read, parse, verify, claim, onEvent, complete, ack).
// The variant names the factory exported by the package, its options (JSON:
// secrets, keys), and which store or inbox to use.
const path = require('node:path');
const express = require('express');
const pkg = require('../../dist');
const { mountOtherRoute } = require('./other-route');

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

module.exports = async function createWebhookRouteServer(options, bench) {
  setUpOpenTelemetry(options.otel);
  const factory = pkg[options.factory];
  if (typeof factory !== 'function') throw new Error(`the package exports no ${options.factory}`);
  const store = STORES[options.store ?? 'memory'](options.services);
  const inbox = options.inbox === undefined ? undefined : INBOXES[options.inbox](options.services, options.workDir);
  const app = express();
  app.post(
    options.path,
    factory({
      ...options.middleware,
      store,
      ...(inbox === undefined ? {} : { inbox }),
      onEvent: async () => {
        bench.handled();
      },
    }),
  );
  mountOtherRoute(app);
  return {
    listener: app,
    async close() {
      // The store (the memory store has no close()) and the inbox; the process exits right after.
      for (const resource of [store, inbox]) {
        const close = resource?.close;
        if (typeof close === 'function') await close.call(resource);
      }
    },
  };
};
