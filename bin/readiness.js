#!/usr/bin/env node
'use strict';
// The CLI is bundled by `npm run build` into dist/cli.js.
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write('readiness: the CLI is not built. Run "npm run build" in ' + path.dirname(__dirname) + ' first.\n');
  process.exit(3);
}
require(bundle).runFromProcess();
