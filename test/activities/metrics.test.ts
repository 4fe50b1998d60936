/**
 * The notification counters go through the activity context's metric meter:
 * one `sent` per delivery, a retry that finds it delivered counts as a duplicate
 * (not another send), a permanent failure as `failed`, a transient one as `error`.
 */
import path from 'node:path';
import type { MetricCounter, MetricMeter, MetricTags } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, createActivitiesFromConfig } from '../../activities';
import { fileSentLog } from '../../activities/sentLog';
import { fileTransport } from '../../activities/slack';
import { parseConfig } from '../../config/env';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { domainRequest } from '../helpers/domainMessages';
import { deliveryInput, memoryLogger, tempDir } from './fixtures/support';

/** A meter that keeps every increment as `name{tag=value,...}` → total. */
function recordingMeter(): MetricMeter & { totals: Map<string, number> } {
  const totals = new Map<string, number>();
  const counter = (name: string): MetricCounter => ({
    name,
    kind: 'counter',
    valueType: 'int',
    unit: '1',
    description: '',
    add(value: number, tags: MetricTags = {}) {
      const key = `${name}{${Object.entries(tags).map(([k, v]) => `${k}=${String(v)}`).sort().join(',')}}`;
      totals.set(key, (totals.get(key) ?? 0) + value);
    },
    withTags: () => counter(name),
  });
  const meter: MetricMeter & { totals: Map<string, number> } = {
    totals,
    createCounter: counter,
    createHistogram: () => {
      throw new Error('not used');
    },
    createGauge: () => {
      throw new Error('not used');
    },
    withTags: () => meter,
  };
  return meter;
}

const checkin = {
  ...domainRequest('week2_checkin', 'slack'),
  key: 'week2',
  to: { userId: 'U0123', label: 'dana@vendor.example' },
};

test('from config: sent once, then a duplicate; a permanent failure is failed', async () => {
  const dirs = await tempDir();
  try {
    const meter = recordingMeter();
    const env = new MockActivityEnvironment({}, { logger: memoryLogger(), metricMeter: meter });
    const { deliverNotification } = createActivitiesFromConfig(parseConfig({ DATA_DIR: dirs.dir }), DEFAULT_PLAYBOOK.program);
    const dm = deliveryInput(checkin);

    await env.run(deliverNotification, dm);
    await env.run(deliverNotification, dm);
    await env.run(deliverNotification, deliveryInput({ ...checkin, to: { label: 'no slack id' } }));

    expect(Object.fromEntries(meter.totals)).toEqual({
      // The activity context's meter adds activityType, namespace and taskQueue.
      'onboarding_notifications_total{activityType=unknown,channel=slack,kind=week2_checkin,namespace=test,status=sent,taskQueue=test}': 1,
      'onboarding_notification_duplicates_total{activityType=unknown,channel=slack,kind=week2_checkin,namespace=test,taskQueue=test}': 1,
      'onboarding_notifications_total{activityType=unknown,channel=slack,kind=week2_checkin,namespace=test,status=failed,taskQueue=test}': 1,
    });
  } finally {
    await dirs.remove();
  }
});

test('a transient fault counts as error and still throws for Temporal to retry', async () => {
  const dirs = await tempDir();
  try {
    const meter = recordingMeter();
    const { deliverNotification } = createActivities({
      program: DEFAULT_PLAYBOOK.program,
      mailer: { sendMail: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) },
      slack: fileTransport(path.join(dirs.dir, 'slack')),
      config: { from: 'onboarding@vendor.example' },
      sentLog: fileSentLog(path.join(dirs.dir, 'sent-log')),
      log: memoryLogger(),
      metrics: meter,
    });
    const mail = deliveryInput({ ...domainRequest('welcome', 'email'), key: 'welcome', to: [{ email: 'lee@acme.example' }] });

    await expect(deliverNotification(mail)).rejects.toThrow();
    expect(Object.fromEntries(meter.totals)).toEqual({ 'onboarding_notifications_total{channel=email,kind=welcome,status=error}': 1 });
  } finally {
    await dirs.remove();
  }
});
