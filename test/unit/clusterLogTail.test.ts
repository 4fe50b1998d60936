/**
 * What the cluster says when one of its processes exits: the log's last lines,
 * and, for a Node process that died of an uncaught error, that error's own
 * line. The logs here are written by real Node processes, crashing and not.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tail } from '../../workers/cluster/process';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-tail-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `script` in node with stdout and stderr to a log file, as the cluster runs its processes; returns the file. */
function logOf(name: string, script: string): string {
  const file = path.join(dir, `${name}.log`);
  const fd = fs.openSync(file, 'w');
  spawnSync(process.execPath, ['-e', script], { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  return file;
}

test('a process killed by an unhandled error event: the error line comes first', () => {
  // How pg ends a process when a checked-out client loses its connection.
  const file = logOf(
    'crash',
    `console.log('{"level":"info","msg":"worker running"}');
     const { EventEmitter } = require('node:events');
     setTimeout(() => new EventEmitter().emit('error', Object.assign(new Error('Connection terminated unexpectedly'), { code: 'X' })), 1);`,
  );
  const line = tail(file);
  expect(line).toMatch(/^Error: Connection terminated unexpectedly \| /);
  expect(line).toMatch(/Node\.js v\d+\.\d+\.\d+$/);
});

test('a thrown TypeError names its type', () => {
  const file = logOf('type-error', `setTimeout(() => { null.x; }, 1);`);
  expect(tail(file)).toMatch(/^TypeError: Cannot read properties of null/);
});

test('a process that exits on its own: its last lines, blank ones left out', () => {
  const file = logOf('exit', `console.log('one'); console.log(''); console.log('two'); console.error('config error: TEMPORAL_ADDRESS: required'); process.exit(2);`);
  expect(tail(file)).toBe('one | two | config error: TEMPORAL_ADDRESS: required');
});

test('a missing log: nothing', () => {
  expect(tail(path.join(dir, 'none.log'))).toBe('');
});
