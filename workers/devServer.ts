/**
 * The embedded Temporal dev server for `npm start` when TEMPORAL_ADDRESS is unset:
 * `temporal server start-dev`, persisted to DATA_DIR/temporal.sqlite, with the
 * contract's search attributes and the Web UI on TEMPORAL_UI_PORT (8233).
 *
 * We spawn the CLI ourselves so that shutdown is a clean SIGTERM. Only when no
 * binary is installed do we fall back to the SDK's own download.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Config } from '../config/env';
import { SEARCH_ATTRIBUTE_KEYS, SEARCH_ATTRIBUTE_TYPE_NAMES } from '../workflows/messages';
import { HOW_TO_GET_TEMPORAL, MissingBinaryError, devServerExecutable } from './temporalBinaries';

export interface DevServer {
  address: string;
  uiUrl: string;
  dbFile: string;
  stop(): Promise<void>;
}

/** SQLite tuning for the single-connection store: WAL journal, fewer fsyncs. */
const SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];
const READY_TIMEOUT_MS = 60_000;

export async function startDevServer(config: Config, log: (msg: string) => void): Promise<DevServer> {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const dbFile = path.join(config.dataDir, 'temporal.sqlite');
  const { devPort, uiPort, namespace } = config.temporal;
  const address = `127.0.0.1:${devPort}`;
  const uiUrl = `http://127.0.0.1:${uiPort}`;
  const searchAttributes = SEARCH_ATTRIBUTE_KEYS.map((key) => `${key.name}=${SEARCH_ATTRIBUTE_TYPE_NAMES[key.type]}`);

  const exe = devServerExecutable();
  if (exe.type === 'cached-download') {
    log(`no Temporal CLI found; trying the SDK's download (${HOW_TO_GET_TEMPORAL})`);
    try {
      const env = await TestWorkflowEnvironment.createLocal({
        server: {
          executable: exe,
          ip: '127.0.0.1',
          port: devPort,
          ui: true,
          uiPort,
          dbFilename: dbFile,
          namespace,
          searchAttributes: [...SEARCH_ATTRIBUTE_KEYS],
        },
      });
      return { address: env.address, uiUrl, dbFile, stop: () => env.teardown() };
    } catch (err) {
      throw new MissingBinaryError(`Temporal CLI not found and its download failed (${(err as Error).message}); ${HOW_TO_GET_TEMPORAL}`);
    }
  }

  const args = [
    'server', 'start-dev',
    '--db-filename', dbFile,
    '--ip', '127.0.0.1',
    '--port', String(devPort),
    '--ui-port', String(uiPort),
    '--namespace', namespace,
    '--log-level', 'warn',
    '--ui-disable-news-fetch',
    ...SQLITE_PRAGMAS.flatMap((p) => ['--sqlite-pragma', p]),
    ...searchAttributes.flatMap((sa) => ['--search-attribute', sa]),
    // With payload encryption the Web UI decodes through the API's codec endpoint.
    ...(config.encryption.keys.length ? ['--ui-codec-endpoint', codecEndpoint(config)] : []),
  ];
  const logFile = fs.openSync(path.join(config.dataDir, 'temporal.log'), 'a');
  const child = spawn(exe.path, args, { stdio: ['ignore', logFile, logFile] });
  fs.closeSync(logFile);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  await waitUntilReachable(address, namespace, exited, config.dataDir);
  return { address, uiUrl, dbFile, stop: () => stopChild(child, exited) };
}

/** The API's codec endpoint as a browser on this machine reaches it. */
export function codecEndpoint(config: Config): string {
  const { host, port } = config.http;
  const reachable = host === '0.0.0.0' || host === '::' || host === '[::]' ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${reachable}:${port}/codec`;
}

async function waitUntilReachable(address: string, namespace: string, exited: Promise<number | null>, dataDir: string): Promise<void> {
  let childExit: number | null | undefined;
  void exited.then((code) => (childExit = code));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (childExit !== undefined) {
      throw new Error(`the Temporal dev server exited (code ${childExit}); see ${path.join(dataDir, 'temporal.log')} (is port ${address.split(':')[1]} in use?)`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch {
      if (Date.now() > deadline) throw new Error(`the Temporal dev server did not become ready within ${READY_TIMEOUT_MS / 1000}s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}
