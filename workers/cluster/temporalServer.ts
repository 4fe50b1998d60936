/**
 * The Temporal server built from its Go module (scripts/build-temporal-server.sh,
 * cached in .tools/temporal-server/<version>/), configured by
 * deploy/temporal/server.yaml (the file docker-compose.yml mounts too), its
 * schema and namespace prepared by the same deploy/temporal/*.sh scripts the
 * compose stack runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_KEYS, SEARCH_ATTRIBUTE_TYPE_NAMES } from '../../workflows/messages';
import { ClusterError, childExited, freeLowPort, openLog, stopChild, tail, waitFor } from './process';

export const ROOT = path.resolve(__dirname, '..', '..');
const DEPLOY = path.join(ROOT, 'deploy', 'temporal');

export interface TemporalBinaries {
  version: string;
  server: string;
  sqlTool: string;
}

/** Builds (or finds) the pinned server; the build prints a progress line every 30 s. */
export async function ensureTemporalBinaries(progress: (line: string) => void): Promise<TemporalBinaries> {
  const version = fs.readFileSync(path.join(DEPLOY, 'versions.env'), 'utf8').match(/^TEMPORAL_SERVER_VERSION=(\S+)/m)?.[1];
  if (!version) throw new ClusterError('deploy/temporal/versions.env: TEMPORAL_SERVER_VERSION is missing');
  const dir = path.join(ROOT, '.tools', 'temporal-server', version);
  const binaries = { version, server: path.join(dir, 'temporal-server'), sqlTool: path.join(dir, 'temporal-sql-tool') };
  if (fs.existsSync(binaries.server) && fs.existsSync(binaries.sqlTool)) return binaries;
  const lines: string[] = [];
  await runScript('bash', [path.join(ROOT, 'scripts', 'build-temporal-server.sh')], process.env, (line) => {
    lines.push(line);
    if (line.startsWith('build-temporal-server:')) progress(line.replace(/^build-temporal-server: /, ''));
  }).catch(() => {
    throw new ClusterError(`building the Temporal server ${version} failed: ${lines.slice(-3).join(' | ')}`);
  });
  return binaries;
}

/** The `temporal` CLI that scripts/setup.sh installs (for the namespace script). */
export function temporalCli(): string {
  const local = path.join(ROOT, '.tools', 'venv', 'bin', 'temporal');
  return process.env.TEMPORAL_CLI_PATH ?? (fs.existsSync(local) ? local : 'temporal');
}

function runScript(cmd: string, args: string[], env: NodeJS.ProcessEnv, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
    for (const stream of [child.stdout, child.stderr]) readline.createInterface({ input: stream }).on('line', onLine);
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(args[0] ?? cmd)} exited with ${code}`))));
  });
}

export interface FrontendTls {
  certFile: string;
  keyFile: string;
  /** The CA the server's own internal client uses to verify the frontend. */
  caFile: string;
  serverName: string;
}

export interface TemporalServerOptions {
  binaries: TemporalBinaries;
  sql: { host: string; port: number; user: string; password: string };
  /** The frontend's gRPC port; the other services get free ports. */
  port: number;
  logFile: string;
  namespaces: string[];
  /** Also created by the schema script: the workers' shared sent-log. */
  appDatabase?: string;
  tls?: FrontendTls;
}

export class TemporalServer {
  private child?: ChildProcess;
  private exited?: Promise<number | null>;
  private ports?: Record<string, string>;

  constructor(private readonly opts: TemporalServerOptions) {}

  get address(): string {
    return `127.0.0.1:${this.opts.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private sqlEnv(): NodeJS.ProcessEnv {
    const { sql } = this.opts;
    return { SQL_PLUGIN: 'postgres12', SQL_HOST: sql.host, SQL_PORT: String(sql.port), SQL_USER: sql.user, SQL_PASSWORD: sql.password };
  }

  /** deploy/temporal/setup-postgres-schema.sh with the sql tool of this release. */
  async setupSchema(progress: (line: string) => void): Promise<void> {
    const lines: string[] = [];
    const env = {
      ...process.env,
      ...this.sqlEnv(),
      TEMPORAL_SQL_TOOL: this.opts.binaries.sqlTool,
      ...(this.opts.appDatabase && { APP_DATABASE: this.opts.appDatabase }),
    };
    await runScript('sh', [path.join(DEPLOY, 'setup-postgres-schema.sh')], env, (line) => {
      lines.push(line);
      if (line.startsWith('schema-setup:')) progress(line.replace(/^schema-setup: /, 'schema: '));
    }).catch(() => {
      throw new ClusterError(`Temporal schema setup failed: ${lines.slice(-3).join(' | ')}`);
    });
  }

  async start(): Promise<void> {
    // Internal ports are picked once per TemporalServer, so a restart keeps them.
    this.ports ??= Object.fromEntries(
      await Promise.all(
        ['FRONTEND_HTTP', 'FRONTEND_MEMBERSHIP', 'HISTORY', 'HISTORY_MEMBERSHIP', 'MATCHING', 'MATCHING_MEMBERSHIP', 'WORKER', 'WORKER_MEMBERSHIP'].map(
          async (name) => [`TEMPORAL_${name}_PORT`, String(await freeLowPort())] as const,
        ),
      ),
    );
    const { tls } = this.opts;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...this.sqlEnv(),
      ...this.ports,
      BIND_ON_IP: '127.0.0.1',
      TEMPORAL_FRONTEND_PORT: String(this.opts.port),
      DYNAMIC_CONFIG_FILE_PATH: path.join(DEPLOY, 'dynamicconfig.yaml'),
      TEMPORAL_LOG_LEVEL: process.env.TEMPORAL_LOG_LEVEL ?? 'warn',
      ...(tls && {
        TEMPORAL_FRONTEND_TLS_CERT: tls.certFile,
        TEMPORAL_FRONTEND_TLS_KEY: tls.keyFile,
        TEMPORAL_FRONTEND_TLS_CA: tls.caFile,
        TEMPORAL_FRONTEND_TLS_SERVER_NAME: tls.serverName,
      }),
    };
    const args = ['--config-file', path.join(DEPLOY, 'server.yaml'), '--allow-no-auth', 'start'];
    const log = openLog(this.opts.logFile);
    this.child = spawn(this.opts.binaries.server, args, { env, stdio: ['ignore', log, log], detached: true, cwd: ROOT });
    fs.closeSync(log);
    this.exited = childExited(this.child);
    await waitFor(`Temporal server on ${this.address}`, 120_000, this.exited, this.opts.logFile, () => this.ping());
  }

  /** The frontend answers and its system namespace is served (history shards are up). */
  async ping(): Promise<void> {
    const { tls } = this.opts;
    const connection = await Connection.connect({
      address: this.address,
      connectTimeout: 2_000,
      ...(tls && { tls: { serverRootCACertificate: fs.readFileSync(tls.caFile), serverNameOverride: tls.serverName } }),
    });
    try {
      await connection.withDeadline(Date.now() + 3_000, () => connection.workflowService.describeNamespace({ namespace: 'temporal-system' }));
    } finally {
      await connection.close();
    }
  }

  /** deploy/temporal/setup-namespace.sh for each namespace: create it, register the contract's search attributes. */
  async setupNamespaces(progress: (line: string) => void): Promise<void> {
    const { tls } = this.opts;
    for (const namespace of this.opts.namespaces) {
      const lines: string[] = [];
      // The CLI reads Temporal's connection variables (TEMPORAL_TLS_*, TEMPORAL_API_KEY, profiles):
      // only the cluster's own settings may count here, not the caller's.
      const inherited = Object.fromEntries(
        Object.entries(process.env).filter(([name]) => !/^TEMPORAL_(TLS|API_KEY|PROFILE|CONFIG_FILE|GRPC_META)/.test(name)),
      );
      const env: NodeJS.ProcessEnv = {
        ...inherited,
        PATH: `${path.dirname(temporalCli())}${path.delimiter}${process.env.PATH ?? ''}`,
        TEMPORAL_ADDRESS: this.address,
        TEMPORAL_NAMESPACE: namespace,
        SEARCH_ATTRIBUTES: SEARCH_ATTRIBUTE_KEYS.map((key) => `${key.name}:${SEARCH_ATTRIBUTE_TYPE_NAMES[key.type]}`).join(' '),
        SETUP_PAUSE_SECONDS: '1',
        ...(tls && { TEMPORAL_TLS_SERVER_CA_CERT_PATH: tls.caFile, TEMPORAL_TLS_SERVER_NAME: tls.serverName }),
      };
      await runScript('sh', [path.join(DEPLOY, 'setup-namespace.sh')], env, (line) => {
        lines.push(line);
        if (/namespace .* is present|^temporal-setup: done/.test(line)) progress(line.replace(/^temporal-setup: /, ''));
      }).catch(() => {
        throw new ClusterError(`namespace setup of ${namespace} failed: ${lines.slice(-3).join(' | ')}`);
      });
    }
  }

  /** SIGTERM: the server drains and exits; SIGKILL after 30 s. */
  async stop(): Promise<void> {
    if (!this.child || !this.exited) return;
    await stopChild(this.child, this.exited, 'SIGTERM', 30_000);
    this.child = undefined;
  }

  logTail(): string {
    return tail(this.opts.logFile);
  }
}
