/**
 * What the benchmarks share: a dev server configured like `npm start`'s, child
 * processes run through tsx (each variant in a process of its own), the
 * workflow bundles (the product's and the baseline's), and small statistics.
 * Benchmarks print figures; none of this asserts anything.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { parseConfig } from '../config/env';
import { startDevServer, type DevServer } from '../workers/devServer';
import { workflowBundlerOptions } from '../workers/createWorker';

export const ROOT = path.resolve(__dirname, '..');

import { freePort } from '../workers/cluster/process';

export { freePort };

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** The dev server exactly as `npm start` runs it (SQLite file, WAL, synchronous=normal), on free ports. */
export async function startBenchServer(dataDir = tempDir('bench-temporal')): Promise<DevServer & { dataDir: string }> {
  const config = parseConfig({
    DATA_DIR: dataDir,
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
  });
  const server = await startDevServer(config, (line) => process.stderr.write(`${line}\n`));
  return { ...server, dataDir };
}

/**
 * An entry point in a process of its own, with an IPC channel: a `.ts` file through
 * `node --import tsx`, a `.js` launcher (bin/worker.js, bench/worker-process.js:
 * tsx on the main thread only, as workers run) through plain `node`.
 */
export function spawnTs(
  script: string,
  options: { args?: string[]; env?: NodeJS.ProcessEnv; nodeArgs?: string[]; log?: string } = {},
): ChildProcess {
  const out = options.log ? fs.openSync(options.log, 'a') : 'ignore';
  const child = fork(path.resolve(ROOT, script), options.args ?? [], {
    cwd: ROOT,
    execArgv: [...(script.endsWith('.ts') ? ['--import', 'tsx'] : []), ...(options.nodeArgs ?? [])],
    env: { ...process.env, ...options.env },
    // stdout (JSON logs) to the log file or nowhere; stderr to the log file, else here.
    stdio: ['ignore', out, options.log ? out : 'inherit', 'ipc'],
  });
  if (typeof out === 'number') fs.closeSync(out);
  return child;
}

/** Stops a child with SIGTERM (SIGKILL after 15 s) and waits for it. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** One request/response over a child's IPC channel. */
export function ask<T>(child: ChildProcess, message: Record<string, unknown>, timeoutMs = 600_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const id = Math.random().toString(36).slice(2);
    const timer = setTimeout(() => reject(new Error(`no answer to ${String(message.cmd)} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (reply: { id?: string; error?: string } & T) => {
      if (reply.id !== id) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      if (reply.error) reject(new Error(reply.error));
      else resolve(reply);
    };
    child.on('message', onMessage);
    child.send({ ...message, id });
  });
}

/** Waits for a child's first message `{ ready: true }` (or its exit). */
export function ready(child: ChildProcess, what: string, timeoutMs = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} not ready within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`${what} exited with code ${code}`)));
    child.on('message', (m: { ready?: boolean }) => {
      if (!m.ready) return;
      clearTimeout(timer);
      resolve();
    });
  });
}

const logger = new DefaultLogger('WARN');

/** The product's workflow bundle, built with the production bundler options. */
export function productBundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger, ...workflowBundlerOptions() });
}

/** The baseline's bundle: the empty signal-counting workflow (bench/baseline/workflows.ts). */
export function baselineBundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: require.resolve('./baseline/workflows'), logger });
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function median(samples: number[]): number {
  return percentile(samples, 50);
}

/** Least-squares slope and intercept of y over x. */
export function linearFit(points: { x: number; y: number }[]): { slope: number; intercept: number } {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const slope = sxx ? sxy / sxx : NaN;
  return { slope, intercept: my - slope * mx };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

export const ratio = (value: number, floor: number): string => `${(value / floor).toFixed(2)}x`;

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used, all threads, from /proc; NaN off Linux. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
  } catch {
    return NaN;
  }
}

/** CPU seconds per thread name (comm) of a process: the JS main thread, the other JS threads (workflow threads, V8 helpers), the SDK's Rust threads. */
export function cpuSecondsByThread(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // Node names every JavaScript thread `node`: the main thread (tid = pid) apart from the rest
      // (a worker's workflow threads, V8's GC and compiler helpers).
      const name = comm === 'node' ? (tid === String(pid) ? 'node main' : 'node other') : comm;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[name] = (out[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    }
  } catch {
    // gone, or not Linux
  }
  return out;
}

/**
 * Pins every thread of a process to `cpus` (a taskset list, e.g. "0" or "0-2").
 * Threads started later inherit the CPUs of the thread that starts them. Linux only:
 * throws naming what is missing.
 */
export function pinThreads(pid: number, cpus: string): void {
  let threads: string[];
  try {
    threads = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    throw new Error(`cannot pin process ${pid}: /proc/${pid}/task is not readable (pinning needs Linux)`);
  }
  for (const tid of threads) {
    try {
      execFileSync('taskset', ['-cp', cpus, tid], { stdio: 'ignore' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('pinning needs taskset (Debian: apt-get install util-linux)');
      // the thread ended meanwhile
    }
  }
}

/** The pid of the process whose command line contains `needle` (e.g. the dev server's database file). */
export function findPid(needle: string): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) return Number(entry);
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}
