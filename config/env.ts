/**
 * The environment of ../shared/CONTRACT.md, validated with zod. Every program
 * calls `loadConfig()` first; a bad value stops it with one line per problem,
 * each naming the variable, and no stack trace.
 */
import path from 'node:path';
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

/** What Temporal's ScheduleSpec takes: 5-7 fields or an @shorthand, optionally after CRON_TZ= or TZ=. */
const cron = z
  .string()
  .regex(/^((CRON_)?TZ=\S+\s+)?(@\w+(\s+\S+)?|(\S+\s+){4,6}\S+)(\s*#.*)?$/, {
    message: 'must be a cron expression, e.g. "0 8 * * 1" (Mondays 08:00 UTC) or "@every 2s"',
  });

const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const EnvSchema = z.object({
  TEMPORAL_ADDRESS: optional(hostPort),
  TEMPORAL_NAMESPACE: optional(z.string().regex(/^[A-Za-z0-9._-]{1,255}$/, { message: 'must be a namespace name' })),
  TEMPORAL_TASK_QUEUE: optional(z.string().min(1).max(255)),
  TEMPORAL_API_KEY: optional(z.string().min(1)),
  TEMPORAL_TLS_CERT: optional(z.string().min(1)),
  TEMPORAL_TLS_KEY: optional(z.string().min(1)),
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
  PLAYBOOK_PATH: optional(z.string().min(1)),
  DATA_DIR: optional(z.string().min(1)),
  PROGRAM_LEAD_EMAIL: optional(z.email({ message: 'must be an e-mail address' })),
  METRICS_HOST: optional(z.string().min(1)),
  METRICS_PORT: optional(port),
  DIGEST_CRON: optional(cron),
  LOG_LEVEL: optional(z.enum(['debug', 'info', 'warn', 'error'])),
  ONBOARDING_API_URL: optional(url(['http:', 'https:'])),
  ONBOARDING_API_KEY: optional(z.string().min(1)),
});

export interface Config {
  temporal: {
    /** Unset: run the embedded dev server. */
    address?: string;
    namespace: string;
    taskQueue: string;
    apiKey?: string;
    tls?: { certPath: string; keyPath: string };
    cliPath?: string;
    testServerPath?: string;
    devPort: number;
    uiPort: number;
  };
  http: { host: string; port: number; apiKeys: ApiKey[]; webhookSecret?: string };
  email: { smtpUrl?: string; from: string; programLead?: string };
  slack: { token?: string; apiUrl?: string; escalationChannel?: string };
  playbookPath?: string;
  dataDir: string;
  /** The worker's Prometheus endpoint (METRICS_HOST:METRICS_PORT); off without a port. */
  metrics: { host: string; port?: number };
  /** When the weekly digest schedule fires. */
  digest: { cron: string };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  cli: { apiUrl: string; apiKey?: string };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Values never echoed in error messages. */
const SECRETS = new Set(['API_KEYS', 'WEBHOOK_SECRET', 'TEMPORAL_API_KEY', 'SLACK_BOT_TOKEN', 'ONBOARDING_API_KEY', 'SMTP_URL']);

/** Parses an environment; throws ConfigError listing one line per bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const r = EnvSchema.safeParse(env);
  const problems = r.success
    ? []
    : r.error.issues.map((i) => {
        const name = String(i.path[0] ?? 'environment');
        return SECRETS.has(name) ? `${name}: ${i.message}` : `${name}: ${i.message} (got ${JSON.stringify(env[name] ?? '')})`;
      });
  if (Boolean(env.TEMPORAL_TLS_CERT) !== Boolean(env.TEMPORAL_TLS_KEY)) {
    const missing = env.TEMPORAL_TLS_CERT ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT';
    problems.push(`${missing}: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together`);
  }
  if (!r.success || problems.length) throw new ConfigError(problems);
  const e = r.data;
  const dataDir = path.resolve(e.DATA_DIR ?? './data');
  return {
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE ?? 'default',
      taskQueue: e.TEMPORAL_TASK_QUEUE ?? 'partner-onboarding',
      apiKey: e.TEMPORAL_API_KEY,
      tls: e.TEMPORAL_TLS_CERT && e.TEMPORAL_TLS_KEY ? { certPath: e.TEMPORAL_TLS_CERT, keyPath: e.TEMPORAL_TLS_KEY } : undefined,
      cliPath: e.TEMPORAL_CLI_PATH,
      testServerPath: e.TEMPORAL_TEST_SERVER_PATH,
      devPort: e.TEMPORAL_DEV_PORT ?? 7233,
      uiPort: e.TEMPORAL_UI_PORT ?? 8233,
    },
    http: {
      host: e.HTTP_HOST ?? '127.0.0.1',
      port: e.HTTP_PORT ?? 3000,
      apiKeys: e.API_KEYS ?? [],
      webhookSecret: e.WEBHOOK_SECRET,
    },
    email: { smtpUrl: e.SMTP_URL, from: e.EMAIL_FROM ?? 'Partner Onboarding <onboarding@localhost>', programLead: e.PROGRAM_LEAD_EMAIL },
    slack: { token: e.SLACK_BOT_TOKEN, apiUrl: e.SLACK_API_URL, escalationChannel: e.SLACK_ESCALATION_CHANNEL },
    playbookPath: e.PLAYBOOK_PATH,
    dataDir,
    metrics: { host: e.METRICS_HOST ?? '127.0.0.1', port: e.METRICS_PORT },
    digest: { cron: e.DIGEST_CRON ?? DEFAULT_DIGEST_CRON },
    logLevel: e.LOG_LEVEL ?? 'info',
    cli: { apiUrl: e.ONBOARDING_API_URL ?? 'http://127.0.0.1:3000', apiKey: e.ONBOARDING_API_KEY },
  };
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
