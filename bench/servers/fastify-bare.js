'use strict';
// Fastify's own bare route: its default JSON parser, answers `success`, no checks.
const Fastify = require('fastify');

module.exports = async function createFastifyBareServer(options, bench) {
  const app = Fastify();
  app.post(options.path, async (_request, reply) => {
    bench.handled();
    return reply.type('text/plain; charset=utf-8').send('success');
  });
  await app.ready();
  // Fastify's request handler, on the harness's node:http server.
  return { listener: app.routing };
};
