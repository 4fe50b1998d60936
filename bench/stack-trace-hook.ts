/**
 * What the SDK's stack-trace support costs the workflow code. The worker installs
 * a V8 promise hook in its workflow threads: every promise the workflow code
 * creates captures a stack, and each frame of it is looked up in the bundle's
 * source map, so that the `__stack_trace` query (the Temporal UI's "Stack Trace"
 * tab) can say where a workflow waits. No worker option turns it off.
 *
 *   npx tsx bench/stack-trace-hook.ts [--copies 20] [--rounds 3]
 *
 * Replays the product's recorded histories of runs started by today's code
 * (`test/replay/histories/*-run-2026-12.json`, `--copies` of each) through one
 * replay worker (Worker.runReplayHistories; a replay worker runs in debug mode,
 * so the workflow code runs in the process measured). Three ways, each in a
 * fresh process, alternated over `--rounds`:
 *   - shipped: as the SDK runs it;
 *   - no source map: the hook's source-map lookups answered at once (the stack is still captured);
 *   - no hook: the promise hook never installed.
 * Prints the median CPU ms per history of each and its share of the shipped
 * figure. Measurement only: the product keeps the SDK as it is (docs/operations.md).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import v8 from 'node:v8';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { productBundle, median } from './support';

const MODES = ['shipped', 'no source map', 'no hook'] as const;
type Mode = (typeof MODES)[number];

const { values } = parseArgs({
  options: {
    copies: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    child: { type: 'string' },
  },
});
const COPIES = Number(values.copies);
const ROUNDS = Number(values.rounds);
if (!(Number.isInteger(COPIES) && COPIES >= 1)) throw new Error('--copies must be a whole number of 1 or more');
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) throw new Error('--rounds must be a whole number of 1 or more');

const HISTORIES_DIR = path.join(__dirname, '../test/replay/histories');

/** In a child process: disables what `mode` says, replays, and prints `{ histories, cpuMs }` as JSON. */
async function child(mode: Mode): Promise<void> {
  if (mode === 'no hook') {
    // The SDK installs its hook through v8.promiseHooks.createHook, once per thread; a no-op stands in.
    (v8.promiseHooks as { createHook: unknown }).createHook = () => () => undefined;
  }
  if (mode === 'no source map') {
    // The SDK builds its source-map consumer with `new SourceMapConsumer(map)`; this one answers every lookup at once.
    // The copy of source-map the SDK itself loads (resolved from @temporalio/worker).
    const sourceMap = createRequire(require.resolve('@temporalio/worker'))('source-map') as Record<string, unknown>;
    sourceMap.SourceMapConsumer = function SourceMapConsumer() {
      return Promise.resolve({ originalPositionFor: () => ({ source: 'bundle', line: 1, column: 1, name: null }), destroy: () => undefined });
    };
  }
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const bundle = await productBundle();
  const files = fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('-run-2026-12.json'));
  const recorded = files.map((f) => JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, f), 'utf8')) as unknown);
  const batch = (copies: number, tag: string) =>
    Array.from({ length: copies }, (_, i) => recorded.map((history, j) => ({ workflowId: `${tag}-${i}-${j}`, history }))).flat();
  const replay = async (histories: ReturnType<typeof batch>) => {
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'stack-trace-hook' }, histories)) {
      if (result.error) throw result.error;
    }
  };
  await replay(batch(2, 'warm'));
  const histories = batch(COPIES, 'timed');
  const before = process.cpuUsage();
  await replay(histories);
  const used = process.cpuUsage(before);
  process.stdout.write(`${JSON.stringify({ histories: histories.length, cpuMs: (used.user + used.system) / 1000 })}\n`);
}

function runChild(mode: Mode): number {
  const out = spawnSync(process.execPath, [...process.execArgv, __filename, '--child', mode, '--copies', String(COPIES)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (out.status !== 0) throw new Error(`${mode}: the replay process exited with ${out.status}`);
  const last = out.stdout.trim().split('\n').pop() ?? '';
  const { histories, cpuMs } = JSON.parse(last) as { histories: number; cpuMs: number };
  return cpuMs / histories;
}

async function main(): Promise<void> {
  const samples = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const mode of round % 2 ? MODES : [...MODES].reverse()) {
      process.stderr.write(`round ${round}: ${mode}...\n`);
      samples.get(mode)!.push(runChild(mode));
    }
  }
  const shipped = median(samples.get('shipped')!);
  console.table(
    MODES.map((mode) => {
      const ms = median(samples.get(mode)!);
      return {
        'workflow code': mode,
        'CPU ms per history (median)': ms.toFixed(1),
        rounds: samples.get(mode)!.map((x) => x.toFixed(1)).join(', '),
        'vs shipped': `${Math.round((ms / shipped) * 100)}%`,
      };
    }),
  );
}

if (values.child) {
  if (!(MODES as readonly string[]).includes(values.child)) throw new Error(`--child must be one of ${MODES.join(', ')}`);
  child(values.child as Mode).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
