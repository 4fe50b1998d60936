import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, WORKER_DEFAULTS, parseConfig } from '../../config/env';

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('environment', () => {
  it('has safe defaults', () => {
    const c = parseConfig({});
    expect(c.temporal).toMatchObject({ address: undefined, namespace: 'default', taskQueue: 'partner-onboarding', devPort: 7233, uiPort: 8233 });
    expect(c.http).toMatchObject({ host: '127.0.0.1', port: 3000, apiKeys: [] });
    expect(c.cli.apiUrl).toBe('http://127.0.0.1:3000');
  });

  it('reports one line per bad variable, naming it', () => {
    const lines = problems({
      HTTP_PORT: 'notaport',
      TEMPORAL_ADDRESS: 'no-port',
      SMTP_URL: 'http://mail',
      API_KEYS: 'ops:short,admin:0123456789abcdef0123',
      TEMPORAL_TLS_CERT: '/c.pem',
      SLACK_ESCALATION_CHANNEL: '#escalations',
    });
    expect(lines.map((l) => l.split(':')[0]).sort()).toEqual(
      ['API_KEYS', 'API_KEYS', 'HTTP_PORT', 'SLACK_ESCALATION_CHANNEL', 'SMTP_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_TLS_KEY'].sort(),
    );
    expect(lines.find((l) => l.startsWith('HTTP_PORT'))).toMatch(/port number/);
  });

  it('parses API keys with roles', () => {
    const c = parseConfig({ API_KEYS: 'ops:0123456789abcdef, manager:fedcba9876543210' });
    expect(c.http.apiKeys).toEqual([
      { role: 'ops', key: '0123456789abcdef' },
      { role: 'manager', key: 'fedcba9876543210' },
    ]);
  });

  it('takes the digest cron in Temporal syntax and the metrics endpoint, loopback by default', () => {
    expect(parseConfig({}).digest.cron).toBe('0 8 * * 1');
    for (const cron of ['0 7 * * 1-5', 'CRON_TZ=Europe/Berlin 0 8 * * 1', '*/2 * * * * * *', '@every 2s', '@weekly']) {
      expect(parseConfig({ DIGEST_CRON: cron }).digest.cron).toBe(cron);
    }
    expect(problems({ DIGEST_CRON: 'every monday' })).toEqual([expect.stringMatching(/^DIGEST_CRON: must be a cron expression/)]);
    expect(parseConfig({}).metrics).toEqual({ host: '127.0.0.1', port: undefined });
    expect(parseConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).metrics).toEqual({ host: '0.0.0.0', port: 9464 });
  });

  it('treats empty values as unset', () => {
    expect(parseConfig({ TEMPORAL_ADDRESS: '', HTTP_PORT: '' }).http.port).toBe(3000);
  });

  it("takes TLS settings by our names and Temporal's standard ones, which must agree", () => {
    expect(parseConfig({}).temporal.tls).toBeUndefined();
    expect(parseConfig({ TEMPORAL_TLS_CA: '/ca.pem', TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' }).temporal.tls).toEqual({
      serverCa: { variable: 'TEMPORAL_TLS_CA', path: '/ca.pem' },
      serverName: 'temporal.internal',
    });
    expect(
      parseConfig({ TEMPORAL_TLS_CLIENT_CERT_PATH: '/c.pem', TEMPORAL_TLS_CLIENT_KEY_PATH: '/c.key', TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/ca.pem' }).temporal.tls,
    ).toEqual({
      clientCert: { variable: 'TEMPORAL_TLS_CLIENT_CERT_PATH', path: '/c.pem' },
      clientKey: { variable: 'TEMPORAL_TLS_CLIENT_KEY_PATH', path: '/c.key' },
      serverCa: { variable: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', path: '/ca.pem' },
    });
    expect(parseConfig({ TEMPORAL_TLS: 'true' }).temporal.tls).toEqual({});
    expect(parseConfig({ TEMPORAL_TLS_CA: '/ca.pem', TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/ca.pem' }).temporal.tls?.serverCa).toEqual({ variable: 'TEMPORAL_TLS_CA', path: '/ca.pem' });
    expect(problems({ TEMPORAL_TLS_CA: '/a.pem', TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/b.pem' })).toEqual([
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH: conflicts with TEMPORAL_TLS_CA; set only one of TEMPORAL_TLS_CA, TEMPORAL_TLS_SERVER_CA_CERT_PATH',
    ]);
    expect(problems({ TEMPORAL_TLS_CLIENT_KEY_PATH: '/c.key' })).toEqual([expect.stringMatching(/^TEMPORAL_TLS_CERT: the client key \(TEMPORAL_TLS_CLIENT_KEY_PATH\) needs its certificate/)]);
    expect(problems({ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' })).toEqual([expect.stringMatching(/^TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: is not supported/)]);
    expect(problems({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA: '/ca.pem' })).toEqual([expect.stringMatching(/^TEMPORAL_TLS: is false, but TLS settings are given/)]);
    // PEM data is a secret's neighbour: never echoed.
    expect(problems({ TEMPORAL_TLS_CLIENT_KEY_DATA: 'not pem', TEMPORAL_TLS_CLIENT_CERT_DATA: '-----BEGIN CERTIFICATE-----' })).toEqual([
      'TEMPORAL_TLS_CLIENT_KEY_DATA: must be PEM data (-----BEGIN …)',
    ]);
  });

  it('reads a profile of the Temporal client configuration file; the variables win over it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onboarding-env-'));
    const file = path.join(dir, 'temporal.toml');
    fs.writeFileSync(file, '[profile.prod]\naddress = "prod.internal:7233"\nnamespace = "partners"\n[profile.prod.tls]\nserver_ca_cert_path = "/etc/ca.pem"\nserver_name = "prod.internal"\n');
    try {
      const c = parseConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'override' });
      expect(c.temporal).toMatchObject({ address: 'prod.internal:7233', namespace: 'override' });
      expect(c.temporal.tls).toEqual({ serverCa: { variable: 'TEMPORAL_PROFILE (profile)', path: '/etc/ca.pem' }, serverName: 'prod.internal' });
      expect(problems({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'missing' })).toEqual([expect.stringMatching(/^TEMPORAL_CONFIG_FILE: .*missing/)]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the shared sent-log as a PostgreSQL URL, never echoing it', () => {
    expect(parseConfig({}).sentLog.databaseUrl).toBeUndefined();
    expect(parseConfig({ SENT_LOG_DATABASE_URL: 'postgres://u:p@db:5432/onboarding' }).sentLog.databaseUrl).toBe('postgres://u:p@db:5432/onboarding');
    expect(problems({ SENT_LOG_DATABASE_URL: 'mysql://u:secret@db/x' })).toEqual(['SENT_LOG_DATABASE_URL: must be a URL (postgres: or postgresql:)']);
  });

  it('sizes the worker from WORKER_* variables, with defaults for a 2 GB container', () => {
    expect(parseConfig({}).worker).toEqual(WORKER_DEFAULTS);
    expect(
      parseConfig({ WORKER_MAX_CACHED_WORKFLOWS: '500', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '20', WORKER_MAX_CONCURRENT_ACTIVITIES: '8' }).worker,
    ).toEqual({ maxCachedWorkflows: 500, maxConcurrentWorkflowTasks: 20, maxConcurrentActivities: 8 });
    // A small cache caps the default concurrency (the SDK allows no more tasks than cached workflows).
    expect(parseConfig({ WORKER_MAX_CACHED_WORKFLOWS: '10' }).worker.maxConcurrentWorkflowTasks).toBe(10);
    // No cache: every task replays its history; concurrency keeps its default.
    expect(parseConfig({ WORKER_MAX_CACHED_WORKFLOWS: '0' }).worker).toMatchObject({ maxCachedWorkflows: 0, maxConcurrentWorkflowTasks: WORKER_DEFAULTS.maxConcurrentWorkflowTasks });
  });

  it('rejects worker sizes the SDK would not take, naming the variable', () => {
    expect(problems({ WORKER_MAX_CACHED_WORKFLOWS: '1' })).toEqual([expect.stringMatching(/^WORKER_MAX_CACHED_WORKFLOWS: must be 0 \(no cache\) or at least 2/)]);
    expect(problems({ WORKER_MAX_CACHED_WORKFLOWS: 'lots' })).toEqual([expect.stringMatching(/^WORKER_MAX_CACHED_WORKFLOWS: must be a whole number/)]);
    expect(problems({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1' })).toEqual([expect.stringMatching(/^WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: must be a whole number from 2/)]);
    expect(problems({ WORKER_MAX_CONCURRENT_ACTIVITIES: '2.5' })).toEqual([expect.stringMatching(/^WORKER_MAX_CONCURRENT_ACTIVITIES: must be a whole number/)]);
    expect(problems({ WORKER_MAX_CACHED_WORKFLOWS: '100', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '200' })).toEqual([
      expect.stringMatching(/^WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: must not exceed WORKER_MAX_CACHED_WORKFLOWS \(100\)/),
    ]);
  });
});
