/**
 * What the cluster tests need beyond the rest of the suite: Debian's PostgreSQL
 * and, for some, the Temporal server built from its Go module
 * (scripts/build-temporal-server.sh). `.ci/run` installs both. On a machine
 * without them the tests are skipped with a note, except in CI (CI=true), where a
 * missing part fails the run instead of hiding the tests.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Postgres, postgresBinDir } from '../../workers/cluster/postgres';
import { freePort } from '../../workers/cluster/process';
import { ROOT } from '../../workers/cluster/temporalServer';

function temporalBuilt(): boolean {
  const version = /^TEMPORAL_SERVER_VERSION=(\S+)/m.exec(fs.readFileSync(path.join(ROOT, 'deploy/temporal/versions.env'), 'utf8'))?.[1];
  const dir = path.join(ROOT, '.tools', 'temporal-server', version ?? '?');
  return fs.existsSync(path.join(dir, 'temporal-server')) && fs.existsSync(path.join(dir, 'temporal-sql-tool'));
}

/** `describe` when the parts are there, else `describe.skip` (outside CI) with the reason printed once. */
export function describeWith(needs: { temporal?: boolean }, name: string, fn: () => void): void {
  const missing: string[] = [];
  try {
    postgresBinDir();
  } catch {
    missing.push("PostgreSQL (apt-get install postgresql)");
  }
  if (needs.temporal && !temporalBuilt()) missing.push('the Temporal server build (bash scripts/build-temporal-server.sh)');
  if (missing.length === 0) return describe(name, fn);
  if (process.env.CI === 'true') {
    describe(name, () => {
      test('has its prerequisites', () => {
        throw new Error(`missing in CI: ${missing.join(', ')}; .ci/run installs them`);
      });
    });
    return;
  }
  process.stderr.write(`skipping "${name}": needs ${missing.join(' and ')}\n`);
  describe.skip(name, fn);
}

/** A temporary directory PostgreSQL's own user can enter (mkdtemp makes 0700 ones). */
export function clusterTempDir(prefix: string): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Debian's PostgreSQL in `dir` on a free port, with the app's `onboarding` database. */
export async function startTestPostgres(dir: string): Promise<Postgres> {
  const postgres = new Postgres({ dir: path.join(dir, 'pg'), port: await freePort(), logFile: path.join(dir, 'pg.log') });
  await postgres.init(() => undefined);
  await postgres.start();
  await postgres.ensureDatabase('onboarding');
  return postgres;
}

/** Each store's schema-check lock key (its table) and its connections' application_name. */
const STORES = {
  'sent-log': { lockKey: 'onboarding_sent_log', applicationName: 'partner-onboarding-sent-log' },
  'report-projection': { lockKey: 'onboarding_report_projection', applicationName: 'partner-onboarding-report-projection' },
} as const;

/**
 * Runs a store's first use in a process of its own (./fixtures/firstUseAcrossCut.ts)
 * while this holds the advisory lock its schema check takes, and ends the
 * child's waiting connection from the server side, as a PostgreSQL restart or a
 * failover does. Returns how many connections were cut, the child's exit code and
 * its output.
 */
export async function cutDuringFirstUse(url: string, name: keyof typeof STORES): Promise<{ cut: number; code: number | null; out: string }> {
  const store = STORES[name];
  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  await holder.query('SELECT pg_advisory_lock(hashtext($1))', [store.lockKey]);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'firstUseAcrossCut.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, STORE: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let cut = 0;
  try {
    const deadline = Date.now() + 60_000;
    while (!cut && Date.now() < deadline) {
      const r = await holder.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE application_name = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
        [store.applicationName],
      );
      cut = r.rowCount ?? 0;
      if (!cut) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await holder.query('SELECT pg_advisory_unlock(hashtext($1))', [store.lockKey]);
    await holder.end();
  }
  return { cut, code: await exited, out };
}
