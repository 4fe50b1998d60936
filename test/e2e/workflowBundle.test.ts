/**
 * The workflow bundle built once ahead (what the Docker image does at build
 * time): `workers/workflowBundle.ts` writes it, and `npm run worker` with
 * WORKFLOW_BUNDLE_PATH runs partners from it without bundling anything at start,
 * and drains when npm gets SIGTERM (as under `docker stop`). A missing bundle
 * stops the worker with one line naming the variable.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { startOnboarding } from '../../client/onboardingClient';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { onboardingStateQuery, onboardingWorkflowId } from '../../workflows/messages';
import { eventually } from '../api/harness';
import { parseConfig } from '../../config/env';
import { startDevServer, type DevServer } from '../../workers/devServer';
import { freePort } from '../activities/fixtures/smtpServer';
import { uniq } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const execFileAsync = promisify(execFile);

/**
 * The dev server as `npm start` runs it (a child process, no Temporal native
 * runtime in this process: no worker runs here), and a plain gRPC client.
 */
let server: DevServer;
let client: Client;
let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onboarding-bundle-'));
  const config = parseConfig({ DATA_DIR: path.join(dir, 'server'), TEMPORAL_DEV_PORT: String(await freePort()), TEMPORAL_UI_PORT: String(await freePort()) });
  server = await startDevServer(config, () => undefined);
  client = new Client({ connection: await Connection.connect({ address: server.address }) });
});
afterAll(async () => {
  await client?.connection.close();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function parseLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('a prebuilt workflow bundle', () => {
  it('is written once and run by `npm run worker` without bundling at start', async () => {
    const bundle = path.join(dir, 'workflow-bundle.js');
    const built = await execFileAsync(TSX, ['workers/workflowBundle.ts', bundle], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
    expect(parseLines(built.stdout)).toContainEqual(expect.objectContaining({ component: 'bundle', msg: 'workflow bundle written', file: bundle }));
    expect(fs.statSync(bundle).size).toBeGreaterThan(100_000);

    const taskQueue = uniq('bundle');
    const child = spawn('npm', ['run', 'worker'], {
      cwd: ROOT,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        WORKFLOW_BUNDLE_PATH: bundle,
        DATA_DIR: dir,
        LOG_LEVEL: 'info',
        NPM_CONFIG_LOGLEVEL: 'silent', // as in the Docker image: no npm banner
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // Closed when every process holding them (npm, and the worker it runs) is gone.
    const drained = Promise.all([new Promise((r) => child.stdout!.once('close', r)), new Promise((r) => child.stderr!.once('close', r))]);
    try {
      const profile = {
        partnerId: uniq('bundled'),
        name: 'Bundled Ltd',
        segment: 'core' as const,
        role: 'sales' as const,
        partnerManager: { name: 'Dana Ruiz', email: 'dana@vendor.example' },
      };
      await startOnboarding(client, { taskQueue, playbook: DEFAULT_PLAYBOOK }, profile);
      const handle = client.workflow.getHandle(onboardingWorkflowId(profile.partnerId));
      const state = await eventually(
        () => handle.query(onboardingStateQuery).catch(() => null),
        (s) => s !== null,
        60_000,
      );
      expect(state).toMatchObject({ partnerId: profile.partnerId, phase: 'foundation' });
    } finally {
      // What `docker stop` does (through the image's init): SIGTERM to npm, which passes it on.
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    await drained;
    const records = parseLines(out);
    // The worker got the signal and drained: it was not left running without its npm.
    expect(records.at(-1)).toMatchObject({ component: 'worker', msg: 'worker stopped' });
    expect(records).toContainEqual(expect.objectContaining({ component: 'worker', msg: 'worker running', workflows: `bundle ${bundle}` }));
    // Bundling from source logs "Workflow bundle created"; the prebuilt bundle is only read.
    expect(records.filter((r) => r.msg === 'Workflow bundle created')).toEqual([]);
  }, 300_000);

  it('stops the worker with one line when WORKFLOW_BUNDLE_PATH names no file', async () => {
    const missing = path.join(dir, 'nope.js');
    const result = await execFileAsync(process.execPath, ['bin/worker.js'], {
      cwd: ROOT,
      env: { ...process.env, TEMPORAL_ADDRESS: server.address, WORKFLOW_BUNDLE_PATH: missing, DATA_DIR: dir },
      encoding: 'utf8',
      timeout: 60_000,
    }).catch((err: { code: number; stdout: string; stderr: string }) => err);
    expect((result as { code?: number }).code).toBe(1);
    const lines = parseLines(`${result.stdout}${result.stderr}`);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'error', msg: expect.stringContaining(`WORKFLOW_BUNDLE_PATH: ${missing} does not exist`) }),
    ]);
  }, 120_000);
});
