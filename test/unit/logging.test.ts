/**
 * One log format: our loggers, fastify's and the Temporal runtime's write the
 * same JSON fields (level name, ISO time, msg, component), honour LOG_LEVEL and
 * redact secrets.
 */
import { LogTimestamp } from '@temporalio/worker';
import { parseConfig } from '../../config/env';
import { createRootLogger, REDACTED } from '../../config/logging';
import { runtimeOptions, temporalLogger } from '../../workers/runtime';
import { wrapPino } from '../../workers/logger';

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'debug') {
  const lines: string[] = [];
  const root = createRootLogger({ level, stream: { write: (line: string) => void lines.push(line) } });
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { root, lines, records };
}

describe('log format', () => {
  it('writes one JSON object per line with level names, ISO time, msg and component', () => {
    const { root, lines, records } = capture();
    wrapPino(root.child({ component: 'main' })).info('ready', { api: 'http://127.0.0.1:3000' });
    root.child({ component: 'api' }).warn({ requestId: 'r1' }, 'slow');
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    const [a, b] = records();
    expect(a).toEqual({ level: 'info', time: expect.any(String), component: 'main', api: 'http://127.0.0.1:3000', msg: 'ready' });
    expect(new Date(a!.time as string).toISOString()).toBe(a!.time);
    expect(b).toMatchObject({ level: 'warn', component: 'api', requestId: 'r1', msg: 'slow' });
  });

  it('redacts secrets at the top level and one object down, and serializes errors', () => {
    const { root, records } = capture();
    const log = wrapPino(root.child({ component: 'worker' }));
    log.info('connecting', { apiKey: 'tmprl-secret-1', options: { password: 'hunter2', token: 'xoxb-1', host: 'smtp.example' } });
    log.error('send failed', { error: new Error('451 try later') });
    const [connecting, failed] = records();
    expect(connecting).toMatchObject({ apiKey: REDACTED, options: { password: REDACTED, token: REDACTED, host: 'smtp.example' } });
    expect(JSON.stringify(records())).not.toMatch(/tmprl-secret-1|hunter2|xoxb-1/);
    expect(failed).toMatchObject({ level: 'error', error: { type: 'Error', message: '451 try later', stack: expect.stringContaining('Error') } });
  });

  it('forwards Temporal runtime logs with their workflow and activity context, in the same format', () => {
    const { root, records } = capture('info');
    const sdk = temporalLogger(root.child({ component: 'temporal' }));
    sdk.info('Activity completed', {
      [LogTimestamp]: 1_700_000_000_000_000_000n,
      sdkComponent: 'activity',
      workflowId: 'onboarding-acme',
      activityType: 'deliverNotification',
      attempt: 1,
    });
    sdk.log('WARN', 'Workflow task failed', { sdkComponent: 'core', target: 'temporalio_sdk_core::worker' });
    sdk.debug('below LOG_LEVEL', { sdkComponent: 'worker' });
    sdk.trace('far below LOG_LEVEL');
    expect(records()).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        component: 'temporal',
        sdkComponent: 'activity',
        workflowId: 'onboarding-acme',
        activityType: 'deliverNotification',
        attempt: 1,
        msg: 'Activity completed',
      },
      expect.objectContaining({ level: 'warn', component: 'temporal', sdkComponent: 'core', msg: 'Workflow task failed' }),
    ]);
  });

  it('applies LOG_LEVEL to the native core logs it forwards', () => {
    const filter = (level: string) => {
      const logging = runtimeOptions(parseConfig({ LOG_LEVEL: level })).telemetryOptions?.logging;
      expect(logging).toHaveProperty('forward');
      return String(logging?.filter);
    };
    expect(filter('debug')).toMatch(/temporalio_sdk_core=DEBUG/);
    expect(filter('info')).toMatch(/temporalio_sdk_core=INFO/);
    expect(filter('error')).toMatch(/temporalio_sdk_core=ERROR/);
    expect(filter('error')).not.toMatch(/WARN|INFO|DEBUG/);
  });
});
