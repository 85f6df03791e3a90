'use strict';
// tsc never deletes: without this, the output of a file since removed from
// lib/ would stay in dist/, be loadable and be published.
require('node:fs').rmSync(require('node:path').join(__dirname, '..', 'dist'), { recursive: true, force: true });
