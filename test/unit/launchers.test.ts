/**
 * `npm start` and `npm run worker` start Node through bin/start.js and
 * bin/worker.js, which register tsx on the main thread only. With
 * `node --import tsx` the flag reaches the SDK's workflow threads too (worker
 * threads inherit node's flags), tsx turns Node's source maps on there, and
 * every promise the workflow code creates pays for a source-map lookup when the
 * SDK records its stack (docs/operations.md, "Throughput").
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Whether a worker thread, started from a file as the SDK starts its workflow threads, has Node's source maps on. */
function threadSourceMaps(nodeArgs: string[], preamble: string): boolean {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'launcher-'));
  const thread = path.join(dir, 'thread.js');
  fs.writeFileSync(thread, "require('node:worker_threads').parentPort.postMessage(process.sourceMapsEnabled);\n");
  const script = `${preamble}
const thread = new (require('node:worker_threads').Worker)(${JSON.stringify(thread)});
thread.once('message', (on) => { process.stdout.write(JSON.stringify({ main: process.sourceMapsEnabled, thread: on })); process.exit(0); });`;
  try {
    const out = JSON.parse(execFileSync(process.execPath, [...nodeArgs, '-e', script], { cwd: ROOT, encoding: 'utf8' })) as { main: boolean; thread: boolean };
    expect(out.main).toBe(true); // tsx on the main thread maps our own stack traces
    return out.thread;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the launchers keep tsx off the workflow threads', () => {
  it('npm start and npm run worker run the launchers with no node flags for threads to inherit', () => {
    const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.worker).toBe('exec node bin/worker.js');
    expect(scripts.start).toMatch(/&& exec node bin\/start\.js$/);
    for (const launcher of ['bin/worker.js', 'bin/start.js']) {
      const code = fs.readFileSync(path.join(ROOT, launcher), 'utf8');
      expect(code).toContain("require('tsx/cjs');");
    }
  });

  it('a thread started after tsx/cjs is registered has no source maps; one started under --import tsx has them', () => {
    expect(threadSourceMaps([], "require('tsx/cjs');")).toBe(false);
    // Why the launchers exist: if tsx ever stops doing this, they can go.
    expect(threadSourceMaps(['--import', 'tsx'], '')).toBe(true);
  });
});
