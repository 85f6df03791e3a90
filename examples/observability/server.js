'use strict';
// A webhook route with OpenTelemetry: every notification's trace printed to
// the console, and the package's metrics on a Prometheus endpoint. The SDK is
// set up as an app sets it up; the package itself needs no option for it.
const { ConsoleSpanExporter, NodeTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-node');
const { MeterProvider } = require('@opentelemetry/sdk-metrics');
const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');

const tracerProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] });
tracerProvider.register();
const metricsPort = Number(process.env.METRICS_PORT || 9464);
const prometheus = new PrometheusExporter({ host: '127.0.0.1', port: metricsPort }, () =>
  console.log(`Prometheus metrics on http://127.0.0.1:${metricsPort}/metrics`),
);
require('@opentelemetry/api').metrics.setGlobalMeterProvider(new MeterProvider({ readers: [prometheus] }));

const express = require('express');
const { createPay247WebhookMiddleware } = require('express-payment-webhooks');

const secret = process.env.PAY247_KEY || 'pay247-dev-key';
if (!process.env.PAY247_KEY) console.log(`PAY247_KEY is not set: using the DEVELOPMENT value "${secret}".`);

const app = express();
app.post(
  '/notify/pay247',
  createPay247WebhookMiddleware({
    secret,
    onEvent: async (event) => {
      // A handler that fails for order numbers ending in 7, so the metrics show failures too.
      if (event.data.out_order_no.endsWith('7')) throw new Error('the orders database is down');
    },
  }),
);

const server = app.listen(Number(process.env.PORT || 3000), '127.0.0.1', () => {
  console.log(`merchant app listening on http://127.0.0.1:${server.address().port}`);
  console.log('  POST /notify/pay247   (try: npx express-payment-webhooks simulate pay247 --url http://127.0.0.1:3000/notify/pay247 --secret pay247-dev-key)');
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close();
    Promise.all([tracerProvider.shutdown(), prometheus.shutdown()]).then(() => process.exit(0));
  });
}
