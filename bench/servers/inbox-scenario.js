'use strict';
// The inbox scenarios' server (bench/inbox-scenarios.js): Pay247 behind an
// inbox (SQLite or a durable Redis), an onEvent that takes `handlerMs`, the
// inbox's default delivery concurrency. It reports how many distinct
// notifications its handler ran, how many it ran twice, and how many it
// acked: the backlog is acked minus delivered (counted here, so that reading
// it costs the inbox nothing; RedisInbox's counts() reads every entry).
const path = require('node:path');
const express = require('express');
const pkg = require('../../dist');

const INBOXES = {
  sqlite: (options) => new pkg.SqliteInbox({ path: path.join(options.workDir, `scenario-${process.pid}.db`) }),
  'redis-aof': (options) => new pkg.RedisInbox({ url: options.services['redis-aof'].url, prefix: `scenario-${process.pid}` }),
};

module.exports = async function createInboxScenarioServer(options, bench) {
  const inbox = INBOXES[options.inbox](options);
  const seen = new Set();
  let duplicates = 0;
  let acked = 0;
  const app = express();
  app.post(
    options.path,
    (_req, res, next) => {
      res.once('finish', () => {
        if (res.statusCode === 200) acked++;
      });
      next();
    },
    pkg.createPay247WebhookMiddleware({
      secret: options.secret,
      inbox,
      onEvent: async (event) => {
        await new Promise((resolve) => setTimeout(resolve, options.handlerMs));
        if (seen.has(event.id)) duplicates++;
        else seen.add(event.id);
        bench.handled();
      },
    }),
  );
  return {
    listener: app,
    stats: () => ({ distinct: seen.size, duplicates, acked, backlog: acked - seen.size }),
    close: () => inbox.close(),
  };
};
