/**
 * End to end: `npm start` brings up the embedded dev server, a worker and the
 * API; health is OK; the Web UI answers; a workflow started through the client
 * survives a stop and a start; and a bad environment stops it with one line.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { onboardingStateQuery, onboardingWorkflowId } from '../../workflows/messages';
import { startOnboarding } from '../../client/onboardingClient';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import type { PartnerProfile } from '../../workflows/types';
import { freePort, portAnswers, waitFor } from '../helpers/system';

const ROOT = path.resolve(__dirname, '../..');

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** As `npm start` runs it (`node bin/start.js`: no tsx CLI in between to SIGKILL a busy program on SIGINT). */
function start(env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, ['bin/start.js'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function stop(run: Running): Promise<number | null> {
  run.child.kill('SIGINT');
  return run.exited;
}

describe('npm start', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onboarding-start-'));
  let env: NodeJS.ProcessEnv;
  let run: Running | undefined;

  beforeAll(async () => {
    env = {
      DATA_DIR: dataDir,
      HTTP_PORT: String(await freePort()),
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      TEMPORAL_ADDRESS: '',
      API_KEYS: '',
      LOG_LEVEL: 'warn',
    };
  });

  afterAll(async () => {
    if (run && run.child.exitCode === null) await stop(run);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves health and the Temporal UI, and keeps workflows across a restart', async () => {
    const api = `http://127.0.0.1:${env.HTTP_PORT}`;
    // Not up in time: the error carries what `npm start` printed.
    const healthy = (started: Running) =>
      waitFor(`${api}/healthz`, (s) => s === 200, 60_000).catch((err: Error) => {
        throw new Error(`${err.message}\n--- output ---\n${started.output()}`);
      });
    run = start(env);
    const health = await healthy(run);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const ui = await waitFor(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}/`, (s) => s === 200, 30_000);
    expect(await ui.text()).toMatch(/<html/i);
    // The playbook it starts partners with is published at start.
    const published = (await (await fetch(`${api}/v1/playbooks`)).json()) as { versions: { version: string; current: boolean }[] };
    expect(published.versions).toEqual([expect.objectContaining({ version: DEFAULT_PLAYBOOK.version, current: true })]);

    const connection = await Connection.connect({ address: `127.0.0.1:${env.TEMPORAL_DEV_PORT}` });
    const client = new Client({ connection });
    const profile: PartnerProfile = {
      partnerId: `restart-${Date.now()}`,
      name: 'Restart Test Ltd',
      segment: 'core',
      role: 'sales',
      partnerManager: { name: 'Dana Ruiz', email: 'dana@vendor.example' },
    };
    const started = await startOnboarding(client, { taskQueue: 'partner-onboarding', playbook: DEFAULT_PLAYBOOK }, profile);
    expect(started.created).toBe(true);
    const handle = client.workflow.getHandle(onboardingWorkflowId(profile.partnerId));
    expect((await handle.query(onboardingStateQuery)).phase).toBe('foundation');
    await connection.close();

    expect(await stop(run)).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'temporal.sqlite'))).toBe(true);

    run = start(env);
    await healthy(run);
    const res = await fetch(`${api}/v1/partners/${profile.partnerId}`);
    expect(res.status).toBe(200);
    const state = (await res.json()) as { partnerId: string; phase: string };
    expect(state).toMatchObject({ partnerId: profile.partnerId, phase: 'foundation' });
    // Publishing at start is idempotent: still the one version.
    const again = (await (await fetch(`${api}/v1/playbooks`)).json()) as { versions: unknown[] };
    expect(again.versions).toHaveLength(1);
    expect(await stop(run)).toBe(0);

    // A changed playbook under the published version id stops the start, saying so.
    const changed = path.join(dataDir, 'changed-playbook.json');
    fs.writeFileSync(changed, JSON.stringify({ ...DEFAULT_PLAYBOOK, passMark: 75 }));
    run = start({ ...env, PLAYBOOK_PATH: changed });
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toContain(`PLAYBOOK_PATH: playbook version ${DEFAULT_PLAYBOOK.version} is already published with other content`);
    await expect(portAnswers(Number(env.TEMPORAL_DEV_PORT))).resolves.toBe(false);
  }, 240_000);

  it('stops the dev server it started when the API cannot listen', async () => {
    const blocker = net.createServer();
    const httpPort = await freePort();
    await new Promise<void>((resolve) => blocker.listen(httpPort, '127.0.0.1', resolve));
    try {
      const devPort = await freePort();
      const failed = start({ ...env, HTTP_PORT: String(httpPort), TEMPORAL_DEV_PORT: String(devPort), TEMPORAL_UI_PORT: String(await freePort()) });
      const code = await failed.exited;
      expect(code).not.toBe(0);
      expect(failed.output()).toMatch(/EADDRINUSE|in use/i);
      // Nothing is left behind: the dev server's port is free again.
      await expect(portAnswers(devPort)).resolves.toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 120_000);

  it('stops with one line naming the variable on a bad environment', () => {
    const r = spawnSync(process.execPath, ['bin/start.js'], {
      cwd: ROOT,
      env: { ...process.env, HTTP_PORT: 'notaport', DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/HTTP_PORT/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
