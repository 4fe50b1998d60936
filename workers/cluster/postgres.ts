/**
 * PostgreSQL from Debian's `postgresql` package, run by us: its own data
 * directory, listening on loopback only, on the port we give it. PostgreSQL
 * refuses to run as root; as root we run it as the package's `postgres` user
 * (and hand it the data directory), otherwise as ourselves.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { ClusterError, childExited, openLog, stopChild, waitFor } from './process';

export const POSTGRES_USER = 'temporal';

/** The directory of initdb and postgres: PG_BIN_DIR, else the newest /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = env.PG_BIN_DIR
    ? [env.PG_BIN_DIR]
    : safeReaddir('/usr/lib/postgresql')
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin`);
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'postgres')) && fs.existsSync(path.join(dir, 'initdb')));
  if (!found) {
    throw new ClusterError(
      env.PG_BIN_DIR
        ? `PG_BIN_DIR=${env.PG_BIN_DIR} has no postgres/initdb`
        : 'PostgreSQL not found: install Debian\'s package (apt-get install postgresql) or set PG_BIN_DIR to the directory of postgres and initdb',
    );
  }
  return found;
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Who runs the server: ourselves, or as root the `postgres` user of Debian's package. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new ClusterError('PostgreSQL will not run as root and there is no `postgres` user: install Debian\'s postgresql package, or run as another user');
  }
}

export interface PostgresOptions {
  /** Holds `data/` (the cluster) and `password`. */
  dir: string;
  port: number;
  logFile: string;
}

export class Postgres {
  private child?: ChildProcess;
  private exited?: Promise<number | null>;
  readonly password: string;
  private readonly dataDir: string;
  private readonly bin: string;
  private readonly user = runAs();

  constructor(private readonly opts: PostgresOptions) {
    this.bin = postgresBinDir();
    this.dataDir = path.join(opts.dir, 'data');
    fs.mkdirSync(opts.dir, { recursive: true });
    const passwordFile = path.join(opts.dir, 'password');
    if (!fs.existsSync(passwordFile)) fs.writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
    this.password = fs.readFileSync(passwordFile, 'utf8').trim();
  }

  get port(): number {
    return this.opts.port;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  url(database: string): string {
    return `postgres://${POSTGRES_USER}:${encodeURIComponent(this.password)}@127.0.0.1:${this.opts.port}/${database}`;
  }

  /** initdb on first use: user `temporal` with a generated password, scram-sha-256 over TCP. */
  async init(progress: (line: string) => void): Promise<void> {
    if (fs.existsSync(path.join(this.dataDir, 'PG_VERSION'))) return;
    progress(`initialising PostgreSQL in ${this.dataDir}`);
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    const pwfile = path.join(this.opts.dir, `.initdb-${process.pid}`);
    fs.writeFileSync(pwfile, this.password, { mode: 0o600 });
    if (this.user) {
      fs.chownSync(this.dataDir, this.user.uid, this.user.gid);
      fs.chownSync(pwfile, this.user.uid, this.user.gid);
    }
    try {
      const args = ['-D', this.dataDir, '-U', POSTGRES_USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-instructions'];
      execFileSync(path.join(this.bin, 'initdb'), args, { stdio: ['ignore', 'pipe', 'pipe'], ...this.user, cwd: this.opts.dir });
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim().split('\n').pop();
      throw new ClusterError(`initdb failed in ${this.dataDir}: ${stderr ?? (err as Error).message}` +
        (this.user ? ` (it runs as the postgres user: every directory above ${this.dataDir} must be searchable by it)` : ''));
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
  }

  async start(): Promise<void> {
    const settings = {
      listen_addresses: '127.0.0.1',
      port: String(this.opts.port),
      unix_socket_directories: '',
      max_connections: '300',
      // Its own log goes to stderr, which we send to the log file.
      logging_collector: 'off',
    };
    const args = ['-D', this.dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    const log = openLog(this.opts.logFile);
    this.child = spawn(path.join(this.bin, 'postgres'), args, { stdio: ['ignore', log, log], detached: true, ...this.user, cwd: this.opts.dir });
    fs.closeSync(log);
    this.exited = childExited(this.child);
    await waitFor(`PostgreSQL on 127.0.0.1:${this.opts.port}`, 60_000, this.exited, this.opts.logFile, () => this.ping());
  }

  /** `fast` (SIGINT): clients are disconnected, the server shuts down cleanly. `immediate` (SIGQUIT): like a crash, recovery at the next start. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!this.child || !this.exited) return;
    await stopChild(this.child, this.exited, mode === 'fast' ? 'SIGINT' : 'SIGQUIT', 30_000);
    this.child = undefined;
  }

  async ping(database = 'postgres'): Promise<void> {
    const client = new pg.Client({ connectionString: this.url(database), connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query('SELECT 1');
    } finally {
      await client.end();
    }
  }

  /** CREATE DATABASE unless it exists (for the shared sent-log). */
  async ensureDatabase(name: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.url('postgres') });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
    } finally {
      await client.end();
    }
  }
}
