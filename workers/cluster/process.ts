/**
 * Child processes of the local cluster: started in their own process group (so
 * that Ctrl-C reaches only the launcher, which then stops them in order), their
 * output in log files, readiness polled, stops escalating to SIGKILL.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** A failure the launcher reports as one line, without a stack. */
export class ClusterError extends Error {
  override name = 'ClusterError';
}

export function openLog(file: string): number {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return fs.openSync(file, 'a');
}

export function childExited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/**
 * The last non-empty lines of a log file, for an error message. When the log
 * ends as Node ends a process that died of an uncaught error (its "Node.js vN"
 * line), the error's own line ("Error: …") goes first: the last lines alone are
 * the stack's tail and say nothing of the cause.
 */
export function tail(file: string, lines = 3): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  const all = text.split('\n').map((l) => l.trimEnd()).filter(Boolean);
  const last = all.slice(-lines);
  if (/^Node\.js v\d/.test(all.at(-1) ?? '')) {
    let cause = all.length - 1;
    while (cause >= 0 && !/^(?:[A-Z]\w*?)?(?:Error|Exception)\b[^:]{0,40}:/.test(all[cause]!)) cause -= 1;
    if (cause >= 0 && cause < all.length - lines) return [all[cause]!, ...last].join(' | ').slice(0, 600);
  }
  return last.join(' | ').slice(-600);
}

/** Polls `probe` until it resolves; fails early when the process exits, with its log's last lines. */
export async function waitFor(
  what: string,
  timeoutMs: number,
  exited: Promise<number | null>,
  logFile: string,
  probe: () => Promise<unknown>,
): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    if (exitCode !== undefined) throw new ClusterError(`${what}: the process exited (code ${exitCode}); ${logFile}: ${tail(logFile)}`);
    try {
      await probe();
      return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new ClusterError(`${what}: not ready after ${timeoutMs / 1000} s (${(last as Error)?.message ?? last}); see ${logFile}`);
    }
    await sleep(250);
  }
}

/** Sends `signal` to the process group, then SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, exited: Promise<number | null>, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  kill(child, signal);
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    kill(child, 'SIGKILL');
    await exited;
  }
}

/** Signals the child's whole process group (it was started detached), or the child alone. */
export function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A loopback port that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * A free loopback port in [20000, 32767]: Temporal stores membership ports in a
 * smallint column, so the kernel's ephemeral ports (32768 and up) do not fit.
 */
export async function freeLowPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = 20000 + Math.floor(Math.random() * 12768);
    const probe = net.createServer();
    const ok = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) {
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      return port;
    }
  }
  throw new ClusterError('no free port in 20000-32767 for the Temporal services');
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
