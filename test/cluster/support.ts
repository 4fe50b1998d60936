/**
 * What the cluster tests need beyond the rest of the suite: Debian's PostgreSQL
 * and, for some, the Temporal server built from its Go module
 * (scripts/build-temporal-server.sh). `.ci/run` installs both. On a machine
 * without them the tests are skipped with a note, except in CI (CI=true), where a
 * missing part fails the run instead of hiding the tests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
