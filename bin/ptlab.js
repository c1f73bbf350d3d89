#!/usr/bin/env node
'use strict';
// Entry point of the `ptlab` command. The TypeScript sources are compiled to dist/ by `npm install`
// (the `prepare` script) or `npm run build`.
const path = require('path');
const fs = require('fs');
const entry = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('ptlab: not built yet; run `npm run build` (npm install does it too)\n');
  process.exit(1);
}
// `ptlab … | head`: a closed pipe ends the output quietly, as with any Unix tool.
process.stdout.on('error', (err) => {
  if (err && err.code === 'EPIPE') process.exit(0);
  throw err;
});
require(entry)
  .main(process.argv.slice(2))
  .then((code) => {
    if (typeof code === 'number') process.exitCode = code;
  })
  .catch((err) => {
    process.stderr.write(`ptlab: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exit(1);
  });
