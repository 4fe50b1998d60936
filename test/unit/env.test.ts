import { ConfigError, parseConfig } from '../../config/env';

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
});
