#!/usr/bin/env node
'use strict';
// The `onboarding` CLI: TypeScript sources run through tsx, no build step.
require('tsx/cjs');
const { main } = require('../client/cli/main.ts');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`onboarding: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  },
);
