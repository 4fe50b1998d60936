/**
 * The environment of ../shared/CONTRACT.md, validated with zod. Every program
 * calls `loadConfig()` first; a bad value stops it with one line per problem,
 * each naming the variable, and no stack trace.
 */
import path from 'node:path';
import { loadClientConfigProfile, type ClientConfigProfile, type ConfigDataSource } from '@temporalio/envconfig';
import { z } from 'zod';

const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/, { message: 'must be host:port, e.g. 127.0.0.1:7233' });

const port = z.coerce
  .number({ message: 'must be a port number (1-65535)' })
  .int({ message: 'must be a port number (1-65535)' })
  .min(1, { message: 'must be a port number (1-65535)' })
  .max(65535, { message: 'must be a port number (1-65535)' });

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL (${protocols.join(' or ')})` },
  );

/** Mondays 08:00 UTC. */
export const DEFAULT_DIGEST_CRON = '0 8 * * 1';

export const API_ROLES = ['ops', 'system', 'manager'] as const;
export type ApiRole = (typeof API_ROLES)[number];
export interface ApiKey {
  role: ApiRole;
  key: string;
}

const apiKeys = z.string().transform((value, ctx): ApiKey[] => {
  const out: ApiKey[] = [];
  for (const [i, pair] of value.split(',').map((p) => p.trim()).filter(Boolean).entries()) {
    const sep = pair.indexOf(':');
    const role = pair.slice(0, sep) as ApiRole;
    const key = pair.slice(sep + 1);
    if (sep < 1 || !API_ROLES.includes(role) || key.length < 16) {
      ctx.addIssue({
        code: 'custom',
        message: `entry ${i + 1} must be role:key with role one of ${API_ROLES.join('|')} and a key of at least 16 characters`,
      });
      continue;
    }
    out.push({ role, key });
  }
  return out;
});

/** One key of PAYLOAD_ENCRYPTION_KEYS: an id (stored with each payload) and 32 bytes of AES-256 key. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** `id:base64-32-byte-key` pairs; the first encrypts, all decrypt. Messages never echo a key. */
const encryptionKeys = z.string().transform((value, ctx): EncryptionKey[] => {
  const out: EncryptionKey[] = [];
  const entries = value.split(',').map((p) => p.trim()).filter(Boolean);
  if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'must list at least one id:base64-key pair' });
  for (const [i, pair] of entries.entries()) {
    const sep = pair.indexOf(':');
    const id = pair.slice(0, sep);
    const encoded = pair.slice(sep + 1);
    const problem =
      sep < 1 || !KEY_ID.test(id)
        ? 'must be id:base64-key with an id of letters, digits, ".", "_" or "-" (at most 64)'
        : out.some((k) => k.id === id)
          ? `repeats the key id "${id}"`
          : !BASE64.test(encoded) || encoded.length % 4 !== 0
            ? `(id "${id}") must have a base64 key, e.g. from \`openssl rand -base64 32\``
            : Buffer.from(encoded, 'base64').length !== 32
              ? `(id "${id}") must have a key of 32 bytes (AES-256), got ${Buffer.from(encoded, 'base64').length}`
              : undefined;
    if (problem) ctx.addIssue({ code: 'custom', message: `entry ${i + 1} ${problem}` });
    else out.push({ id, key: Buffer.from(encoded, 'base64') });
  }
  return out;
});

/** Browser origins (scheme://host[:port]) allowed to call the codec endpoint, e.g. the Temporal UI's. */
const origins = z.string().transform((value, ctx): string[] => {
  const out: string[] = [];
  for (const origin of value.split(',').map((o) => o.trim()).filter(Boolean)) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin.replace(/\/$/, '')) {
      ctx.addIssue({ code: 'custom', message: `"${origin}" must be an origin like https://temporal-ui.example:8080 (no path)` });
    } else out.push(parsed.origin);
  }
  return out;
});

/** What Temporal's ScheduleSpec takes: 5-7 fields or an @shorthand, optionally after CRON_TZ= or TZ=. */
const cron = z
  .string()
  .regex(/^((CRON_)?TZ=\S+\s+)?(@\w+(\s+\S+)?|(\S+\s+){4,6}\S+)(\s*#.*)?$/, {
    message: 'must be a cron expression, e.g. "0 8 * * 1" (Mondays 08:00 UTC) or "@every 2s"',
  });

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const pem = z.string().includes('-----BEGIN', { message: 'must be PEM data (-----BEGIN …)' });

/** One secret, or several comma-separated (the first signs links, all verify: rotation). */
const preferenceSecrets = z.string().transform((value, ctx): string[] => {
  const secrets = value.split(',').map((s) => s.trim());
  secrets.forEach((secret, i) => {
    if (secret.length < 32) {
      ctx.addIssue({ code: 'custom', message: `secret ${i + 1} must be at least 32 characters (e.g. openssl rand -hex 32)` });
    }
  });
  return secrets;
});

/** A whole number in [min, max], from an environment string. */
const count = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ message }).int({ message }).min(min, { message }).max(max, { message });
};

/**
 * Worker sizing (docs/operations.md, "Sizing a worker"). The defaults fit a
 * worker in a 2 GB container: see WORKER_DEFAULTS.
 */
export interface WorkerTuning {
  /** Workflows kept in the worker's cache (sticky); each costs memory, a miss costs a replay. */
  maxCachedWorkflows: number;
  /** Workflow tasks run at once (at most maxCachedWorkflows). */
  maxConcurrentWorkflowTasks: number;
  /** Activities (notification deliveries) run at once. */
  maxConcurrentActivities: number;
}

export const WORKER_DEFAULTS: WorkerTuning = {
  // About 0.3 MB each over a ~350 MB base: ~1.2 GB, room to spare in 2 GB (bench/memory.ts).
  maxCachedWorkflows: 3000,
  maxConcurrentWorkflowTasks: 40,
  maxConcurrentActivities: 100,
};

const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const EnvSchema = z.object({
  TEMPORAL_ADDRESS: optional(hostPort),
  TEMPORAL_NAMESPACE: optional(z.string().regex(/^[A-Za-z0-9._-]{1,255}$/, { message: 'must be a namespace name' })),
  TEMPORAL_TASK_QUEUE: optional(z.string().min(1).max(255)),
  TEMPORAL_API_KEY: optional(z.string().min(1)),
  TEMPORAL_TLS_CERT: optional(z.string().min(1)),
  TEMPORAL_TLS_KEY: optional(z.string().min(1)),
  TEMPORAL_TLS_CA: optional(z.string().min(1)),
  TEMPORAL_TLS_SERVER_NAME: optional(z.string().regex(/^[A-Za-z0-9.*-]{1,253}$/, { message: 'must be a DNS name' })),
  // Temporal's own names (the Temporal CLI and the SDKs' environment configuration).
  TEMPORAL_TLS: optional(bool),
  TEMPORAL_TLS_CLIENT_CERT_PATH: optional(z.string().min(1)),
  TEMPORAL_TLS_CLIENT_CERT_DATA: optional(pem),
  TEMPORAL_TLS_CLIENT_KEY_PATH: optional(z.string().min(1)),
  TEMPORAL_TLS_CLIENT_KEY_DATA: optional(pem),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: optional(z.string().min(1)),
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: optional(pem),
  TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: optional(
    bool.refine((v) => !v, {
      message: 'is not supported by the TypeScript SDK; set TEMPORAL_TLS_SERVER_NAME to a name in the server certificate instead',
    }),
  ),
  TEMPORAL_PROFILE: optional(z.string().min(1)),
  TEMPORAL_CONFIG_FILE: optional(z.string().min(1)),
  SENT_LOG_DATABASE_URL: optional(url(['postgres:', 'postgresql:'])),
  REPORT_PROJECTION_DATABASE_URL: optional(url(['postgres:', 'postgresql:'])),
  TEMPORAL_CLI_PATH: optional(z.string().min(1)),
  TEMPORAL_TEST_SERVER_PATH: optional(z.string().min(1)),
  TEMPORAL_DEV_PORT: optional(port),
  TEMPORAL_UI_PORT: optional(port),
  HTTP_HOST: optional(z.string().min(1)),
  HTTP_PORT: optional(port),
  API_KEYS: optional(apiKeys),
  WEBHOOK_SECRET: optional(z.string().min(16, { message: 'must be at least 16 characters' })),
  SMTP_URL: optional(url(['smtp:', 'smtps:'])),
  EMAIL_FROM: optional(z.string().min(3)),
  SLACK_BOT_TOKEN: optional(z.string().min(1)),
  SLACK_API_URL: optional(url(['http:', 'https:'])),
  SLACK_ESCALATION_CHANNEL: optional(
    z.string().regex(/^[CG][A-Z0-9]{2,}$/, { message: 'must be a Slack channel id such as C0123456789 (not a #name)' }),
  ),
  SLACK_SIGNING_SECRET: optional(z.string().min(16, { message: 'must be the app\'s signing secret (at least 16 characters)' })),
  PLAYBOOK_PATH: optional(z.string().min(1)),
  DATA_DIR: optional(z.string().min(1)),
  PROGRAM_LEAD_EMAIL: optional(z.email({ message: 'must be an e-mail address' })),
  METRICS_HOST: optional(z.string().min(1)),
  METRICS_PORT: optional(port),
  DIGEST_CRON: optional(cron),
  MANAGER_DIGEST_HOUR: optional(
    z.coerce.number({ message: 'must be an hour 0-23' }).int({ message: 'must be an hour 0-23' }).min(0, { message: 'must be an hour 0-23' }).max(23, { message: 'must be an hour 0-23' }),
  ),
  LOG_LEVEL: optional(z.enum(['debug', 'info', 'warn', 'error'])),
  PREFERENCES_SECRET: optional(preferenceSecrets),
  PUBLIC_URL: optional(url(['http:', 'https:'])),
  ONBOARDING_API_URL: optional(url(['http:', 'https:'])),
  ONBOARDING_API_KEY: optional(z.string().min(1)),
  PAYLOAD_ENCRYPTION_KEYS: optional(encryptionKeys),
  CODEC_CORS_ORIGINS: optional(origins),
  WORKFLOW_BUNDLE_PATH: optional(z.string().min(1)),
  WORKER_MAX_CACHED_WORKFLOWS: optional(
    count(0, 1_000_000).refine((n) => n !== 1, { message: 'must be 0 (no cache) or at least 2' }),
  ),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: optional(count(2, 10_000)),
  WORKER_MAX_CONCURRENT_ACTIVITIES: optional(count(1, 10_000)),
});

export interface Config {
  temporal: {
    /** Unset: run the embedded dev server. */
    address?: string;
    namespace: string;
    taskQueue: string;
    apiKey?: string;
    /** Set: connect over TLS (also implied by an API key, unless TEMPORAL_TLS=false). */
    tls?: TlsSettings;
    /** gRPC metadata from a TEMPORAL_PROFILE's `grpc_meta`. */
    metadata?: Record<string, string>;
    cliPath?: string;
    testServerPath?: string;
    devPort: number;
    uiPort: number;
  };
  http: { host: string; port: number; apiKeys: ApiKey[]; webhookSecret?: string };
  /** Unset: marker files in DATA_DIR/sent-log (one host). */
  sentLog: { databaseUrl?: string };
  /** Where the API keeps the report's projection between runs. Unset: DATA_DIR/report-projection.json. */
  reportProjection: { databaseUrl?: string };
  email: { smtpUrl?: string; from: string; programLead?: string };
  /** `signingSecret`: verifies POST /v1/slack/interactions, and turns the messages' buttons on. */
  slack: { token?: string; apiUrl?: string; escalationChannel?: string; signingSecret?: string };
  playbookPath?: string;
  dataDir: string;
  /** The worker's Prometheus endpoint (METRICS_HOST:METRICS_PORT); off without a port. */
  metrics: { host: string; port?: number };
  /** When the weekly digest schedule fires; the managers' local hour of their daily digest. */
  digest: { cron: string; managerHour: number };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  cli: { apiUrl: string; apiKey?: string };
  /**
   * Payload encryption (client/encryption.ts): the first key encrypts, all decrypt;
   * empty: payloads are stored in plaintext. `corsOrigins`: browser origins (the
   * Temporal UI's) allowed to call the API's codec endpoint.
   */
  encryption: { keys: EncryptionKey[]; corsOrigins: string[] };
  /** A workflow bundle built ahead (workers/workflowBundle.ts); unset: bundled from source at start. */
  workflowBundlePath?: string;
  /**
   * Notification preferences (docs/preferences.md): the secrets that sign the
   * unsubscribe links (none: e-mails carry no link), and the API's address as
   * recipients reach it, which the links point at.
   */
  preferences: { secrets: string[]; publicUrl: string };
  worker: WorkerTuning;
}

/** A PEM file or inline PEM data, with the variable it came from (for error messages). */
export type PemSource = { variable: string; path: string } | { variable: string; data: string };

export interface TlsSettings {
  /** The client certificate and its key (mTLS); both or neither. */
  clientCert?: PemSource;
  clientKey?: PemSource;
  /** The CA that signed the server's certificate; unset: the system's trusted CAs. */
  serverCa?: PemSource;
  /** The name to verify in the server's certificate; unset: the host of TEMPORAL_ADDRESS. */
  serverName?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Values never echoed in error messages. */
const SECRETS = new Set([
  'API_KEYS', 'WEBHOOK_SECRET', 'TEMPORAL_API_KEY', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'ONBOARDING_API_KEY', 'SMTP_URL',
  'TEMPORAL_TLS_CLIENT_KEY_DATA', 'TEMPORAL_TLS_CLIENT_CERT_DATA', 'TEMPORAL_TLS_SERVER_CA_CERT_DATA', 'SENT_LOG_DATABASE_URL',
  'REPORT_PROJECTION_DATABASE_URL', 'PAYLOAD_ENCRYPTION_KEYS',
  'PREFERENCES_SECRET',
]);

/** Parses an environment; throws ConfigError listing one line per bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const r = EnvSchema.safeParse(env);
  const problems = r.success
    ? []
    : r.error.issues.map((i) => {
        const name = String(i.path[0] ?? 'environment');
        return SECRETS.has(name) ? `${name}: ${i.message}` : `${name}: ${i.message} (got ${JSON.stringify(env[name] ?? '')})`;
      });
  const profile = r.success ? loadProfile(r.data, problems) : undefined;
  // Also on a failed parse, for the pairing problems (its result is then unused).
  const tls = tlsSettings(r.success ? r.data : (env as unknown as Env), profile, problems);
  if (r.success) {
    const cache = r.data.WORKER_MAX_CACHED_WORKFLOWS ?? WORKER_DEFAULTS.maxCachedWorkflows;
    const tasks = r.data.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS;
    if (tasks !== undefined && cache > 0 && tasks > cache) {
      problems.push(`WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: must not exceed WORKER_MAX_CACHED_WORKFLOWS (${cache}) (got ${JSON.stringify(env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS)})`);
    }
  }
  if (!r.success || problems.length) throw new ConfigError(problems);
  const e = r.data;
  const maxCachedWorkflows = e.WORKER_MAX_CACHED_WORKFLOWS ?? WORKER_DEFAULTS.maxCachedWorkflows;
  const dataDir = path.resolve(e.DATA_DIR ?? './data');
  const httpHost = e.HTTP_HOST ?? '127.0.0.1';
  const httpPort = e.HTTP_PORT ?? 3000;
  // Without PUBLIC_URL, links point at the API itself (a wildcard bind address is no address to visit).
  const linkHost = httpHost === '0.0.0.0' || httpHost === '::' ? '127.0.0.1' : httpHost.includes(':') ? `[${httpHost}]` : httpHost;
  return {
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? profile?.address,
      namespace: e.TEMPORAL_NAMESPACE ?? profile?.namespace ?? 'default',
      taskQueue: e.TEMPORAL_TASK_QUEUE ?? 'partner-onboarding',
      apiKey: e.TEMPORAL_API_KEY ?? profile?.apiKey,
      tls,
      metadata: profile?.grpcMeta && Object.keys(profile.grpcMeta).length ? profile.grpcMeta : undefined,
      cliPath: e.TEMPORAL_CLI_PATH,
      testServerPath: e.TEMPORAL_TEST_SERVER_PATH,
      devPort: e.TEMPORAL_DEV_PORT ?? 7233,
      uiPort: e.TEMPORAL_UI_PORT ?? 8233,
    },
    http: {
      host: httpHost,
      port: httpPort,
      apiKeys: e.API_KEYS ?? [],
      webhookSecret: e.WEBHOOK_SECRET,
    },
    sentLog: { databaseUrl: e.SENT_LOG_DATABASE_URL },
    reportProjection: { databaseUrl: e.REPORT_PROJECTION_DATABASE_URL },
    email: { smtpUrl: e.SMTP_URL, from: e.EMAIL_FROM ?? 'Partner Onboarding <onboarding@localhost>', programLead: e.PROGRAM_LEAD_EMAIL },
    slack: {
      token: e.SLACK_BOT_TOKEN,
      apiUrl: e.SLACK_API_URL,
      escalationChannel: e.SLACK_ESCALATION_CHANNEL,
      signingSecret: e.SLACK_SIGNING_SECRET,
    },
    playbookPath: e.PLAYBOOK_PATH,
    dataDir,
    metrics: { host: e.METRICS_HOST ?? '127.0.0.1', port: e.METRICS_PORT },
    digest: { cron: e.DIGEST_CRON ?? DEFAULT_DIGEST_CRON, managerHour: e.MANAGER_DIGEST_HOUR ?? 8 },
    logLevel: e.LOG_LEVEL ?? 'info',
    cli: { apiUrl: e.ONBOARDING_API_URL ?? 'http://127.0.0.1:3000', apiKey: e.ONBOARDING_API_KEY },
    encryption: {
      keys: e.PAYLOAD_ENCRYPTION_KEYS ?? [],
      // Unset: the embedded dev server's Web UI, when `npm start` runs one.
      corsOrigins:
        e.CODEC_CORS_ORIGINS ??
        (e.TEMPORAL_ADDRESS ? [] : [`http://127.0.0.1:${e.TEMPORAL_UI_PORT ?? 8233}`, `http://localhost:${e.TEMPORAL_UI_PORT ?? 8233}`]),
    },
    workflowBundlePath: e.WORKFLOW_BUNDLE_PATH ? path.resolve(e.WORKFLOW_BUNDLE_PATH) : undefined,
    preferences: { secrets: e.PREFERENCES_SECRET ?? [], publicUrl: e.PUBLIC_URL ?? `http://${linkHost}:${httpPort}` },
    worker: {
      maxCachedWorkflows,
      // The SDK needs at least 2, and no more than the cache holds (a cache of 0 takes any number).
      maxConcurrentWorkflowTasks:
        e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS ??
        (maxCachedWorkflows === 0 ? WORKER_DEFAULTS.maxConcurrentWorkflowTasks : Math.min(WORKER_DEFAULTS.maxConcurrentWorkflowTasks, maxCachedWorkflows)),
      maxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES ?? WORKER_DEFAULTS.maxConcurrentActivities,
    },
  };
}

type Env = z.infer<typeof EnvSchema>;

/**
 * TEMPORAL_PROFILE / TEMPORAL_CONFIG_FILE: a profile of Temporal's client
 * configuration file (TOML, as the Temporal CLI writes it). Only read when one of
 * the two is set; the variables above win over the profile's values.
 */
function loadProfile(e: Env, problems: string[]): ClientConfigProfile | undefined {
  if (!e.TEMPORAL_PROFILE && !e.TEMPORAL_CONFIG_FILE) return undefined;
  const variable = e.TEMPORAL_CONFIG_FILE ? 'TEMPORAL_CONFIG_FILE' : 'TEMPORAL_PROFILE';
  try {
    return loadClientConfigProfile({
      profile: e.TEMPORAL_PROFILE,
      ...(e.TEMPORAL_CONFIG_FILE && { configSource: { path: e.TEMPORAL_CONFIG_FILE } }),
      disableEnv: true,
    });
  } catch (err) {
    problems.push(`${variable}: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

/**
 * The TLS settings from our short names (TEMPORAL_TLS_CERT, _KEY, _CA), Temporal's
 * standard ones (TEMPORAL_TLS_CLIENT_CERT_PATH, …) and the profile, in that order
 * of precedence. Two variables for one setting must agree.
 */
function tlsSettings(e: Env, profile: ClientConfigProfile | undefined, problems: string[]): TlsSettings | undefined {
  const pick = (candidates: [string, string | undefined, 'path' | 'data'][], fromProfile?: ConfigDataSource): PemSource | undefined => {
    const set = candidates.filter(([, value]) => value !== undefined);
    if (set.length > 1 && new Set(set.map(([, v]) => v)).size > 1) {
      problems.push(`${set[1]![0]}: conflicts with ${set[0]![0]}; set only one of ${set.map(([n]) => n).join(', ')}`);
    }
    const [variable, value, kind] = set[0] ?? [];
    if (variable && value !== undefined) return kind === 'path' ? { variable, path: value } : { variable, data: value };
    if (!fromProfile) return undefined;
    const source = `${variable ?? 'TEMPORAL_PROFILE'} (profile)`;
    return 'path' in fromProfile
      ? { variable: source, path: fromProfile.path }
      : { variable: source, data: Buffer.from(fromProfile.data).toString('utf8') };
  };
  const fromFile = profile?.tls;
  const clientCert = pick(
    [['TEMPORAL_TLS_CERT', e.TEMPORAL_TLS_CERT, 'path'], ['TEMPORAL_TLS_CLIENT_CERT_PATH', e.TEMPORAL_TLS_CLIENT_CERT_PATH, 'path'], ['TEMPORAL_TLS_CLIENT_CERT_DATA', e.TEMPORAL_TLS_CLIENT_CERT_DATA, 'data']],
    fromFile?.clientCert,
  );
  const clientKey = pick(
    [['TEMPORAL_TLS_KEY', e.TEMPORAL_TLS_KEY, 'path'], ['TEMPORAL_TLS_CLIENT_KEY_PATH', e.TEMPORAL_TLS_CLIENT_KEY_PATH, 'path'], ['TEMPORAL_TLS_CLIENT_KEY_DATA', e.TEMPORAL_TLS_CLIENT_KEY_DATA, 'data']],
    fromFile?.clientKey,
  );
  const serverCa = pick(
    [['TEMPORAL_TLS_CA', e.TEMPORAL_TLS_CA, 'path'], ['TEMPORAL_TLS_SERVER_CA_CERT_PATH', e.TEMPORAL_TLS_SERVER_CA_CERT_PATH, 'path'], ['TEMPORAL_TLS_SERVER_CA_CERT_DATA', e.TEMPORAL_TLS_SERVER_CA_CERT_DATA, 'data']],
    fromFile?.serverCACert,
  );
  if (Boolean(clientCert) !== Boolean(clientKey)) {
    problems.push(
      clientCert
        ? `TEMPORAL_TLS_KEY: the client certificate (${clientCert.variable}) needs its key (TEMPORAL_TLS_KEY or TEMPORAL_TLS_CLIENT_KEY_PATH)`
        : `TEMPORAL_TLS_CERT: the client key (${clientKey!.variable}) needs its certificate (TEMPORAL_TLS_CERT or TEMPORAL_TLS_CLIENT_CERT_PATH)`,
    );
  }
  const serverName = e.TEMPORAL_TLS_SERVER_NAME ?? fromFile?.serverName;
  const explicit = e.TEMPORAL_TLS ?? (fromFile?.disabled === true ? false : undefined);
  const settings: TlsSettings = {
    ...(clientCert && { clientCert }),
    ...(clientKey && { clientKey }),
    ...(serverCa && { serverCa }),
    ...(serverName && { serverName }),
  };
  const anySetting = Object.keys(settings).length > 0 || fromFile !== undefined;
  if (explicit === false) {
    if (Object.keys(settings).length) problems.push('TEMPORAL_TLS: is false, but TLS settings are given; remove one or the other');
    return undefined;
  }
  return explicit || anySetting ? settings : undefined;
}

/**
 * For program entry points: parse the environment or print one line per problem
 * to stderr and exit 2. Never returns on failure.
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) process.stderr.write(`config error: ${p}\n`);
      process.exit(2);
    }
    throw err;
  }
}
