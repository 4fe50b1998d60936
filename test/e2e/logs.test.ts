/**
 * End to end: every line `npm start` writes, on stdout and stderr, is one JSON
 * object with the same fields (level name, ISO time, msg, component): our logs,
 * fastify's and the Temporal runtime's (core and SDK, with the workflow and
 * activity context the SDK attaches). LOG_LEVEL applies to all of them.
 * The only other lines are npm's own banner (`> name@version start`, `> command`),
 * which `npm start --silent` leaves out. And Ctrl-C while the worker is still
 * starting ends in the same clean stop as later.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort, portAnswers } from '../helpers/system';

const ROOT = path.resolve(__dirname, '../..');
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} not within ${timeoutMs} ms\n--- output ---\n${output()}`);
}

interface Run {
  stdout: string[];
  stderr: string[];
  /** npm's own exit: npm dies of the SIGINT it got with its group; what it ran stops cleanly (the "stopped" line). */
  exit: { code: number | null; signal: NodeJS.Signals | null };
}

/**
 * `npm start` in its own process group, stopped like Ctrl-C does (SIGINT to the
 * group) once `drive` is done.
 */
async function npmStart(
  logLevel: string,
  drive: (api: string, output: () => string) => Promise<void>,
  /** healthy: the worker polls (healthz 200); listening: the API answers, the worker may still be starting. */
  until: 'healthy' | 'listening' = 'healthy',
): Promise<Run> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onboarding-logs-'));
  const httpPort = await freePort();
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    HTTP_PORT: String(httpPort),
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    TEMPORAL_ADDRESS: '',
    API_KEYS: '',
    LOG_LEVEL: logLevel,
  };
  const child = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<Run['exit']>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  // npm may go before its children: the pipes close when the last of them is gone.
  const drained = Promise.all([new Promise((r) => child.stdout!.once('close', r)), new Promise((r) => child.stderr!.once('close', r))]);
  const output = () => `${out}\n--- stderr ---\n${err}`;
  try {
    const api = `http://127.0.0.1:${httpPort}`;
    const ready = async () => {
      const status = (await fetch(`${api}/healthz`)).status;
      return until === 'healthy' ? status === 200 : status > 0;
    };
    await waitFor(ready, until === 'healthy' ? 'healthz 200' : 'the API', 90_000, output);
    await drive(api, output);
  } finally {
    process.kill(-child.pid!, 'SIGINT');
  }
  const exit = await exited;
  await drained;
  fs.rmSync(dataDir, { recursive: true, force: true });
  const lines = (s: string) => s.split('\n').filter((l) => l.length > 0);
  return { stdout: lines(out), stderr: lines(err), exit };
}

/** npm's banner: `> partner-onboarding-orchestrator@0.1.0 start` and `> bash scripts/setup.sh …`. */
function withoutNpmBanner(lines: string[]): string[] {
  const banner = lines.slice(0, 2);
  expect(banner[0]).toMatch(/^> \S+@\S+ start$/);
  expect(banner[1]).toMatch(/^> bash scripts\/setup\.sh --quiet && exec node bin\/start\.js$/);
  return lines.slice(2);
}

function parseAll(lines: string[]): Record<string, unknown>[] {
  return lines.map((line) => {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`not a JSON line: ${line}`);
    }
    expect(record).toEqual(
      expect.objectContaining({ level: expect.any(String), time: expect.any(String), msg: expect.any(String), component: expect.any(String) }),
    );
    expect(LEVELS).toContain(record.level);
    expect(new Date(record.time as string).toISOString()).toBe(record.time);
    return record;
  });
}

describe('npm start logs', () => {
  it('are JSON lines in one format from every part, with the Temporal workflow and activity context, at LOG_LEVEL=debug', async () => {
    const partnerId = `logs-${Date.now()}`;
    const run = await npmStart('debug', async (api, output) => {
      const res = await fetch(`${api}/v1/partners`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'logs-e2e-1' },
        body: JSON.stringify({
          partnerId,
          name: 'Log Format GmbH',
          segment: 'core',
          role: 'sales',
          partnerManager: { name: 'Dana Ruiz', email: 'dana@vendor.example' },
          contacts: [{ role: 'sales', name: 'Lee', email: 'lee@logformat.example' }],
        }),
      });
      expect(res.status).toBe(201);
      // The welcome e-mail is the first activity; the state lists it once delivered.
      await waitFor(
        async () => {
          const state = (await (await fetch(`${api}/v1/partners/${partnerId}`)).json()) as { notifications?: unknown[] };
          return (state.notifications?.length ?? 0) > 0;
        },
        'the first notification',
        60_000,
        output,
      );
      // Past the runtime's 100 ms log buffer.
      await new Promise((r) => setTimeout(r, 500));
    });
    expect([0, 130]).toContain(run.exit.code ?? (run.exit.signal === 'SIGINT' ? 130 : run.exit.code));
    const records = parseAll([...withoutNpmBanner(run.stdout), ...run.stderr]);
    expect(records.at(-1)).toMatchObject({ component: 'main', level: 'info', msg: 'stopped' });
    const components = new Set(records.map((r) => r.component));
    expect([...components]).toEqual(expect.arrayContaining(['main', 'worker', 'api', 'temporal']));
    // fastify's request logs, with our request id label and level names.
    expect(records).toContainEqual(expect.objectContaining({ component: 'api', level: 'info', requestId: 'logs-e2e-1', msg: 'request completed' }));
    // The Temporal runtime: core's own lines (forwarded from the native side) at debug ...
    expect(records).toContainEqual(expect.objectContaining({ component: 'temporal', sdkComponent: 'core', level: 'debug' }));
    // ... the workflow's with its context, and the activity's with its context.
    expect(records).toContainEqual(
      expect.objectContaining({ component: 'temporal', msg: 'Workflow started', workflowId: `onboarding-${partnerId}`, workflowType: 'partnerOnboarding' }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({ component: 'temporal', sdkComponent: 'activity', workflowId: `onboarding-${partnerId}`, activityType: 'deliverNotification' }),
    );
  }, 240_000);

  it('honours LOG_LEVEL=warn everywhere: no debug or info line from any part', async () => {
    const run = await npmStart('warn', async (api) => {
      expect((await fetch(`${api}/v1/partners/nobody`)).status).toBe(404);
    });
    expect([0, 130]).toContain(run.exit.code ?? (run.exit.signal === 'SIGINT' ? 130 : run.exit.code));
    const records = parseAll([...withoutNpmBanner(run.stdout), ...run.stderr]);
    // The open-API warning at start shows the level filter lets warnings through.
    expect(records).toContainEqual(expect.objectContaining({ component: 'api', level: 'warn' }));
    expect(records.filter((r) => r.level === 'debug' || r.level === 'info' || r.level === 'trace')).toEqual([]);
  }, 240_000);

  it('stops cleanly on Ctrl-C while the worker is still starting (bundling), and leaves nothing running', async () => {
    let devPort = 0;
    const run = await npmStart(
      'info',
      async (_api, output) => {
        devPort = Number(/"address":"127\.0\.0\.1:(\d+)"/.exec(output())?.[1]);
        // Still bundling: the worker has not reported itself running yet.
        expect(output()).not.toContain('"msg":"worker running"');
      },
      'listening',
    );
    const records = parseAll([...withoutNpmBanner(run.stdout), ...run.stderr]);
    const main = records.filter((r) => r.component === 'main').map((r) => r.msg);
    expect(main).toContain('shutting down');
    // Before the fix, the tsx CLI between npm and the program SIGKILLed it mid-shutdown when it was
    // busy for more than 60 ms (bundling): no "stopped", and a dev server left running when it got no signal.
    expect(main.at(-1)).toBe('stopped');
    expect(devPort).toBeGreaterThan(0);
    await expect(portAnswers(devPort)).resolves.toBe(false);
  }, 240_000);
});
