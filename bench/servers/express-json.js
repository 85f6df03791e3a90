'use strict';
// The baseline: what a merchant writes without this package, a bare Express 5
// route behind express.json() that answers `success`. It checks nothing.
const express = require('express');
const { mountOtherRoute } = require('./other-route');

module.exports = function createExpressJsonServer(options, bench) {
  const app = express();
  app.post(options.path, express.json(), (_req, res) => {
    bench.handled();
    res.type('text/plain').send('success');
  });
  mountOtherRoute(app);
  return { listener: app };
};
