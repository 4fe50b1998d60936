#!/usr/bin/env node
'use strict';
// `npm run worker`. tsx runs the TypeScript sources on this thread only.
// Started as `node --import tsx`, the flag would reach the SDK's workflow
// threads too (worker threads inherit node's flags), and tsx turns on Node's
// source maps there: every promise the workflow code creates then pays for a
// source-map lookup of its stack (the SDK records one per promise), about a
// fifth of the workflow threads' CPU (docs/operations.md, "Throughput").
require('tsx/cjs');
require('../workers/worker.ts').cli();
