/**
 * `npm run cluster` as a person runs it: it prints what runs where, the README's
 * "Try it" commands work against it (through the CLI), the welcome e-mail reaches
 * its SMTP catcher, and Ctrl-C (SIGINT) stops every process it started.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import type { Playbook } from '../../workflows/playbook';
import { freeLowPort, freePort, portInUse } from '../../workers/cluster/process';
import { clusterTempDir, describeWith } from './support';

const ROOT = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);

describeWith({ temporal: true }, 'npm run cluster', () => {
  test('starts, serves the "Try it" commands, and stops everything on Ctrl-C', async () => {
    const temp = clusterTempDir('onboarding-npm-cluster-');
    const [frontendPort, httpPort] = [await freeLowPort(), await freePort()];
    // Open all week: the welcome e-mail waits for the partner's business hours, and the test runs at any hour.
    const playbook = path.join(temp.dir, 'playbook.json');
    const alwaysOpen: Playbook = {
      ...DEFAULT_PLAYBOOK,
      version: `${DEFAULT_PLAYBOOK.version}-always-open`,
      businessHours: { weekdays: [1, 2, 3, 4, 5, 6, 7], startHour: 0, endHour: 24 },
    };
    fs.writeFileSync(playbook, JSON.stringify(alwaysOpen));
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers', 'cluster', 'main.ts')], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: temp.dir, TEMPORAL_DEV_PORT: String(frontendPort), HTTP_PORT: String(httpPort), TEMPORAL_ADDRESS: '', PLAYBOOK_PATH: playbook },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const until = async (what: RegExp, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (!what.test(out)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${what} in:\n${out}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    try {
      await until(/Ctrl-C stops it all/, 240_000);
      expect(out).toContain(`HTTP API           http://127.0.0.1:${httpPort}`);
      expect(out).toContain(`Temporal frontend  127.0.0.1:${frontendPort}`);
      expect(out).toMatch(/PostgreSQL         127\.0\.0\.1:\d+ {3}user temporal/);
      expect(out).toMatch(/SMTP catcher       smtp:\/\/127\.0\.0\.1:\d+/);
      const workerPids = [...out.matchAll(/worker \d +pid (\d+)/g)].map((m) => Number(m[1]));
      expect(workerPids).toHaveLength(2);

      // The README's "Try it", through the CLI.
      const cli = (...args: string[]) =>
        run(process.execPath, [path.join(ROOT, 'bin', 'onboarding.js'), ...args], {
          cwd: ROOT,
          env: { ...process.env, ONBOARDING_API_URL: `http://127.0.0.1:${httpPort}` },
        });
      expect((await cli('start', '--file', 'examples/acme.json')).stdout).toMatch(/started: acme-cloud/);
      expect((await cli('event', 'acme-cloud', '--type', 'portal_access_granted')).stdout).toMatch(/accepted 1 event/);
      let status = '';
      for (let i = 0; i < 40 && !/portal_access +foundation +yes +done/.test(status); i += 1) {
        status = (await cli('status', 'acme-cloud')).stdout;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(status).toMatch(/portal_access +foundation +yes +done/);
      let list = '';
      for (let i = 0; i < 40 && !list.includes('acme-cloud'); i += 1) {
        list = (await cli('list', '--phase', 'foundation')).stdout;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(list).toContain('acme-cloud');

      // The API keeps the report's projection in PostgreSQL (REPORT_PROJECTION_DATABASE_URL), where a replaced API starts from.
      const pgPort = Number(/PostgreSQL +127\.0\.0\.1:(\d+)/.exec(out)![1]);
      const password = fs.readFileSync(path.join(temp.dir, 'cluster', 'postgres', 'password'), 'utf8').trim();
      const db = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'temporal', password, database: 'onboarding' });
      await db.connect();
      try {
        let stored: { partner_id: string; summary: string }[] = [];
        for (let i = 0; i < 60 && !stored.length; i += 1) {
          stored = (await db.query<{ partner_id: string; summary: string }>(`SELECT partner_id, summary FROM onboarding_report_projection WHERE partner_id = 'acme-cloud'`).catch(() => ({ rows: [] }))).rows;
          if (!stored.length) await new Promise((r) => setTimeout(r, 500));
        }
        expect(stored).toHaveLength(1);
        expect(JSON.parse(stored[0]!.summary)).toMatchObject({ segment: 'core', phase: 'foundation' });
      } finally {
        await db.end();
      }
      expect(JSON.parse((await cli('report', '--json')).stdout)).toMatchObject({ partners: 1 });
      await until(/mail to lee@acme\.example: Welcome to the Partner Program, Acme Cloud GmbH/, 60_000);
      expect(fs.readdirSync(path.join(temp.dir, 'cluster', 'mail')).filter((f) => f.endsWith('.eml'))).toHaveLength(1);

      // Ctrl-C: everything stops, in order, and the launcher exits 0.
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(out).toMatch(/stopping the API and the workers[\s\S]*stopping the Temporal server[\s\S]*stopping PostgreSQL[\s\S]*stopped/);
      for (const pid of workerPids) expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
      expect(await portInUse(frontendPort)).toBe(false);
      expect(await portInUse(httpPort)).toBe(false);
      expect(fs.existsSync(path.join(temp.dir, 'cluster', 'pids.json'))).toBe(false);
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGINT');
        await exited;
      }
      temp.remove();
    }
  }, 360_000);
});
