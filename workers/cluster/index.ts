/**
 * The production topology on one machine, without Docker: PostgreSQL, the
 * Temporal server built from its Go module, an SMTP catcher, N workers (each
 * its own process and DATA_DIR, sharing the sent-log in PostgreSQL) and the
 * HTTP API. `npm run cluster` (./main.ts) runs it for people; the chaos run and
 * the cluster tests start it from code and take parts of it down.
 *
 * Everything lives under `dir`: postgres/ (data and generated password),
 * worker-<n>/ (each worker's DATA_DIR), mail/ (caught e-mails), logs/, pids.json.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { AppProcess } from './app';
import { Postgres, POSTGRES_USER } from './postgres';
import { ClusterError, freePort, portInUse } from './process';
import { SmtpCatcher } from './smtpCatcher';
import { ROOT, TemporalServer, ensureTemporalBinaries, temporalCli, type FrontendTls } from './temporalServer';

export { ClusterError } from './process';
export type { FrontendTls } from './temporalServer';

/** The database of the shared sent-log (SENT_LOG_DATABASE_URL), next to Temporal's two. */
export const APP_DATABASE = 'onboarding';

export interface ClusterOptions {
  dir: string;
  /** The Temporal frontend's gRPC port. */
  frontendPort: number;
  http: { host: string; port: number };
  namespace: string;
  taskQueue: string;
  /** More namespaces to prepare (the chaos run's undisturbed one). */
  extraNamespaces?: string[];
  workers?: number;
  /** Start the workers and the API (default true). */
  apps?: boolean;
  /** Extra environment for the workers and the API (PLAYBOOK_PATH, Slack, …). */
  appEnv?: NodeJS.ProcessEnv;
  tls?: FrontendTls;
  progress?: (line: string) => void;
}

/** Connection settings of the caller that must not leak into the cluster's own processes. */
const FOREIGN = /^(TEMPORAL_(ADDRESS|NAMESPACE|TASK_QUEUE|TLS|API_KEY|PROFILE|CONFIG_FILE|GRPC_META)|DATA_DIR$|SMTP_URL$|SENT_LOG_DATABASE_URL$|REPORT_PROJECTION_DATABASE_URL$|HTTP_HOST$|HTTP_PORT$|METRICS_PORT$)/;

export class LocalCluster {
  readonly postgres: Postgres;
  readonly temporal: TemporalServer;
  readonly smtp: SmtpCatcher;
  readonly workers: AppProcess[] = [];
  api?: AppProcess;
  private clients: Client[] = [];

  private constructor(
    readonly opts: ClusterOptions,
    pgPort: number,
    binaries: Awaited<ReturnType<typeof ensureTemporalBinaries>>,
  ) {
    const logs = path.join(opts.dir, 'logs');
    this.postgres = new Postgres({ dir: path.join(opts.dir, 'postgres'), port: pgPort, logFile: path.join(logs, 'postgres.log') });
    this.temporal = new TemporalServer({
      binaries,
      sql: { host: '127.0.0.1', port: pgPort, user: POSTGRES_USER, password: this.postgres.password },
      port: opts.frontendPort,
      logFile: path.join(logs, 'temporal.log'),
      namespaces: [opts.namespace, ...(opts.extraNamespaces ?? [])],
      appDatabase: APP_DATABASE,
      tls: opts.tls,
    });
    this.smtp = new SmtpCatcher(path.join(opts.dir, 'mail'));
  }

  static async start(opts: ClusterOptions): Promise<LocalCluster> {
    const progress = opts.progress ?? (() => undefined);
    fs.mkdirSync(opts.dir, { recursive: true });
    stopLeftovers(opts.dir, progress);
    for (const [what, port] of [['the Temporal frontend', opts.frontendPort], ['the HTTP API', opts.http.port]] as const) {
      if ((opts.apps !== false || what !== 'the HTTP API') && (await portInUse(port))) {
        throw new ClusterError(`port ${port} for ${what} is in use (another \`npm start\` or cluster?); choose another with ${what === 'the HTTP API' ? 'HTTP_PORT' : 'TEMPORAL_DEV_PORT'}`);
      }
    }
    progress('Temporal server: looking for the pinned build in .tools/temporal-server/');
    const binaries = await ensureTemporalBinaries(progress);
    progress(`Temporal server ${binaries.version}: ${binaries.server}`);
    ensureTemporalCli(progress);

    const cluster = new LocalCluster(opts, await freePort(), binaries);
    try {
      await cluster.postgres.init(progress);
      await cluster.postgres.start();
      cluster.savePids();
      progress(`PostgreSQL ready on 127.0.0.1:${cluster.postgres.port}`);
      await cluster.temporal.setupSchema(progress);
      progress('Temporal server starting');
      await cluster.temporal.start();
      cluster.savePids();
      progress(`Temporal server ready on ${cluster.temporal.address}`);
      await cluster.temporal.setupNamespaces(progress);
      await cluster.smtp.start();
      progress(`SMTP catcher on ${cluster.smtp.url}`);
      if (opts.apps !== false) await cluster.startApps(opts.namespace, progress);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** The environment of a worker or the API of `namespace`. */
  appEnv(namespace: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !FOREIGN.test(name)));
    const { tls } = this.opts;
    return {
      ...inherited,
      ...this.opts.appEnv,
      TEMPORAL_ADDRESS: this.temporal.address,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TASK_QUEUE: this.opts.taskQueue,
      SMTP_URL: this.smtp.url,
      SENT_LOG_DATABASE_URL: this.postgres.url(APP_DATABASE),
      ...(tls && { TEMPORAL_TLS_CA: tls.caFile, TEMPORAL_TLS_SERVER_NAME: tls.serverName }),
      ...extra,
    };
  }

  /** The workers (each with its own DATA_DIR) and the API of `namespace`; waits until they serve. */
  async startApps(namespace: string, progress: (line: string) => void = () => undefined): Promise<void> {
    const logs = path.join(this.opts.dir, 'logs');
    const client = await this.client(namespace);
    const count = this.opts.workers ?? 2;
    this.workers.length = 0;
    for (let n = 1; n <= count; n += 1) {
      const dataDir = path.join(this.opts.dir, `worker-${n}`);
      this.workers.push(
        new AppProcess({
          name: `worker ${n}`,
          script: 'bin/worker.js', // as `npm run worker`
          env: this.appEnv(namespace, { DATA_DIR: dataDir }),
          logFile: path.join(logs, `worker-${n}.log`),
        }),
      );
    }
    for (const worker of this.workers) worker.start();
    this.savePids();
    progress(`workers starting (${count}; each bundles the workflow code first)`);
    for (const worker of this.workers) {
      await worker.waitForPoller(client, this.opts.taskQueue);
      progress(`${worker.name} polling (pid ${worker.pid})`);
    }
    this.api = new AppProcess({
      name: 'API',
      script: 'client/api/server.ts',
      env: this.appEnv(namespace, {
        DATA_DIR: path.join(this.opts.dir, 'api'),
        // The report's projection outlives the API's DATA_DIR: a replaced API starts from it.
        REPORT_PROJECTION_DATABASE_URL: this.postgres.url(APP_DATABASE),
        HTTP_HOST: this.opts.http.host,
        HTTP_PORT: String(this.opts.http.port),
      }),
      logFile: path.join(logs, 'api.log'),
    });
    this.api.start();
    this.savePids();
    await this.api.waitForHttp(`${this.apiUrl}/healthz`);
    progress(`API ready on ${this.apiUrl}`);
  }

  async stopApps(): Promise<void> {
    await this.api?.stop();
    this.api = undefined;
    await Promise.all(this.workers.map((w) => w.stop()));
  }

  /** Restarts one worker (after a crash): same environment, same DATA_DIR. */
  async restartWorker(worker: AppProcess, namespace = this.opts.namespace): Promise<void> {
    worker.start();
    this.savePids();
    await worker.waitForPoller(await this.client(namespace), this.opts.taskQueue);
  }

  get apiUrl(): string {
    const host = this.opts.http.host === '0.0.0.0' ? '127.0.0.1' : this.opts.http.host;
    return `http://${host}:${this.opts.http.port}`;
  }

  /** A client of the cluster (closed by `stop()`). */
  async client(namespace = this.opts.namespace): Promise<Client> {
    const { tls } = this.opts;
    const connection = await Connection.connect({
      address: this.temporal.address,
      ...(tls && { tls: { serverRootCACertificate: fs.readFileSync(tls.caFile), serverNameOverride: tls.serverName } }),
    });
    const client = new Client({ connection, namespace });
    this.clients.push(client);
    return client;
  }

  /** API, workers, SMTP, Temporal, PostgreSQL: the reverse of the start. */
  async stop(progress: (line: string) => void = () => undefined): Promise<void> {
    for (const client of this.clients.splice(0)) await client.connection.close().catch(() => undefined);
    if (this.api || this.workers.length) progress('stopping the API and the workers');
    await this.stopApps();
    await this.smtp.stop();
    progress('stopping the Temporal server');
    await this.temporal.stop();
    progress('stopping PostgreSQL');
    await this.postgres.stop();
    fs.rmSync(path.join(this.opts.dir, 'pids.json'), { force: true });
  }

  /** What runs, for stopLeftovers after a launcher that was killed. */
  private savePids(): void {
    const pids = [this.postgres.pid, this.temporal.pid, ...this.workers.map((w) => w.pid), this.api?.pid].filter((p): p is number => !!p);
    fs.writeFileSync(path.join(this.opts.dir, 'pids.json'), JSON.stringify(pids));
  }
}

/** Processes a killed launcher left behind (they run in their own process groups). */
function stopLeftovers(dir: string, progress: (line: string) => void): void {
  const file = path.join(dir, 'pids.json');
  let pids: number[];
  try {
    pids = JSON.parse(fs.readFileSync(file, 'utf8')) as number[];
  } catch {
    return;
  }
  for (const pid of pids) {
    let cmdline = '';
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone
    }
    // Only ours (the repository's binaries and scripts, or PostgreSQL on our data): a reused pid is someone else's.
    if (!cmdline.includes(ROOT) && !cmdline.includes(dir)) continue;
    progress(`stopping pid ${pid} left from an earlier run`);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  // PostgreSQL refuses to start while its old postmaster.pid names a live process: give it a moment.
  spawnSync('sleep', ['1']);
  fs.rmSync(file, { force: true });
}

/** The `temporal` CLI (for the namespace script) comes from scripts/setup.sh. */
function ensureTemporalCli(progress: (line: string) => void): void {
  const cli = temporalCli();
  if (path.isAbsolute(cli) && fs.existsSync(cli)) return;
  if (spawnSync('sh', ['-c', 'command -v temporal'], { stdio: 'ignore' }).status === 0) return;
  progress('installing the Temporal CLI (scripts/setup.sh)');
  const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'setup.sh')], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0 || !fs.existsSync(temporalCli())) {
    throw new ClusterError(`the Temporal CLI is needed for the namespace setup: ${r.stderr.trim().split('\n').pop() ?? 'scripts/setup.sh failed'}`);
  }
}
