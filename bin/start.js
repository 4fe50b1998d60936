#!/usr/bin/env node
'use strict';
// `npm start`: tsx on this thread only, so the SDK's workflow threads run
// without tsx and its source maps (see bin/worker.js).
require('tsx/cjs');
require('../workers/main.ts');
