#!/usr/bin/env node
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('attention-profiler: dist/cli.js is missing; run `npm install` (or `npm run build`) in the project first\n');
  process.exit(2);
}
require(cli).run(process.argv.slice(2));
