/**
 * The whole system as `npm start` runs it (workers/main.ts: the embedded dev
 * server, a worker and the API), on free ports and a temp DATA_DIR, for
 * end-to-end tests that talk to it over HTTP like a user.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

import { freePort } from '../../workers/cluster/process';

export { freePort };

/** Whether something accepts connections on the loopback port. */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export async function waitFor(url: string, ok: (status: number) => boolean, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (ok(res.status)) return res;
      last = `HTTP ${res.status}: ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms (${last})`);
}

export interface RunningSystem {
  /** The API's base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  env: NodeJS.ProcessEnv;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  /** SIGINT, as Ctrl-C; resolves with the exit code. Removes DATA_DIR unless told to keep it. */
  stop(options?: { keepData?: boolean }): Promise<number | null>;
}

/** Starts the system and waits for /healthz to answer 200 (the worker polls). */
export async function startSystem(extraEnv: NodeJS.ProcessEnv = {}, readyTimeoutMs = 90_000): Promise<RunningSystem> {
  const dataDir = extraEnv.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'onboarding-system-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(await freePort()),
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    TEMPORAL_ADDRESS: '',
    API_KEYS: '',
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const child = spawn(process.execPath, ['bin/start.js'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${env.HTTP_PORT}`;
  const system: RunningSystem = {
    url,
    env,
    dataDir,
    child,
    output: () => out,
    async stop(options = {}) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const code = await exited;
      if (!options.keepData && !extraEnv.DATA_DIR) fs.rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
  try {
    await waitFor(`${url}/healthz`, (s) => s === 200, readyTimeoutMs);
  } catch (err) {
    await system.stop();
    throw new Error(`${(err as Error).message}\n--- output ---\n${out}`);
  }
  return system;
}
