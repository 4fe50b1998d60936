'use strict';
// bench/worker-process.ts as `npm run worker` runs a worker (bin/worker.js): tsx
// on the main thread only, so the SDK's workflow threads run without it.
require('tsx/cjs');
require('./worker-process.ts');
