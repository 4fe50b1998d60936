/**
 * The weekly digest on the real dev server: a worker with the real activities
 * (Slack through the WebClient against a local fake Slack, e-mail through a real
 * SMTP server), the schedule firing on its own every 2 s, and each run's digest
 * matching buildReport for that run's scheduled moment.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { messageIdFor } from '../../activities/email';
import { startOnboarding } from '../../client/onboardingClient';
import { buildReport } from '../../client/reports';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { milestoneTitles } from '../../client/reports/digest';
import { parseConfig } from '../../config/env';
import { onboardingWorkflowId } from '../../workflows/messages';
import type { WeeklyDigestResult } from '../../workflows';
import { DIGEST_SCHEDULE_ID, ensureDigestSchedule } from '../../workers/digestSchedule';
import { startFakeSlack, type FakeSlack } from '../activities/fixtures/slackServer';
import { startSmtpServer, type TestSmtpServer } from '../activities/fixtures/smtpServer';
import { tempDir } from '../activities/fixtures/support';
import { profile } from '../api/harness';
import { createDevEnv, createTestWorker, uniq } from '../helpers/temporal';

const ESCALATION = 'C0ESCALATION';
const LEAD = 'program-lead@vendor.example';
const EVERY_2S = '*/2 * * * * * *';

let env: TestWorkflowEnvironment;
let slack: FakeSlack;
let smtp: TestSmtpServer;
let dirs: Awaited<ReturnType<typeof tempDir>>;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniq('digest');

beforeAll(async () => {
  [env, slack, smtp, dirs] = await Promise.all([createDevEnv(), startFakeSlack(), startSmtpServer(), tempDir()]);
  const config = parseConfig({
    DATA_DIR: dirs.dir,
    SMTP_URL: smtp.url,
    SLACK_BOT_TOKEN: slack.token,
    SLACK_API_URL: slack.apiUrl,
    SLACK_ESCALATION_CHANNEL: ESCALATION,
  });
  worker = await createTestWorker(env, taskQueue, config, { shutdownGraceTime: '1 second' });
  running = worker.run();
});

afterAll(async () => {
  await env?.client.schedule.getHandle(DIGEST_SCHEDULE_ID).delete().catch(() => undefined);
  worker?.shutdown();
  await running;
  await Promise.all([env?.teardown(), slack?.close(), smtp?.close(), dirs?.remove()]);
});

/** The completed digest runs the schedule started, oldest first. */
async function completedRuns(): Promise<{ workflowId: string; result: WeeklyDigestResult }[]> {
  const description = await env.client.schedule.getHandle(DIGEST_SCHEDULE_ID).describe();
  const runs = await Promise.all(
    description.info.recentActions.map(async ({ action }) => {
      const handle = env.client.workflow.getHandle(action.workflow.workflowId, action.workflow.firstExecutionRunId);
      const { status } = await handle.describe();
      return status.name === 'COMPLETED' ? { workflowId: action.workflow.workflowId, result: (await handle.result()) as WeeklyDigestResult } : undefined;
    }),
  );
  return runs.filter((r) => r !== undefined);
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

it('fires on schedule, once per slot to Slack and to the program lead, with the report of its moment', async () => {
  // Two partners with their report summaries in visibility; the one signed 45 days ago is behind on everything.
  const options = { taskQueue, playbook: DEFAULT_PLAYBOOK };
  const partners = [profile(), profile({ contractSignedAt: new Date(Date.now() - 45 * 86_400_000).toISOString() })];
  for (const p of partners) await startOnboarding(env.client, options, p);
  for (const p of partners) await until(() => env.client.workflow.getHandle(onboardingWorkflowId(p.partnerId)).describe(), (d) => d.memo?.report !== undefined);

  expect(await ensureDigestSchedule(env.client, { taskQueue, cron: EVERY_2S, programLeadEmail: LEAD })).toBe('created');
  expect(await ensureDigestSchedule(env.client, { taskQueue, cron: EVERY_2S, programLeadEmail: LEAD })).toBe('updated');
  const schedules: string[] = [];
  for await (const s of env.client.schedule.list()) schedules.push(s.scheduleId);
  expect(schedules.filter((id) => id === DIGEST_SCHEDULE_ID)).toHaveLength(1);

  // No trigger(): the schedule starts the runs by itself. Pause it after two, and let any run in flight finish.
  await until(completedRuns, (r) => r.length >= 2);
  const handle = env.client.schedule.getHandle(DIGEST_SCHEDULE_ID);
  await handle.pause('test done');
  const started = (await handle.describe()).info.recentActions.length;
  const runs = await until(completedRuns, (r) => r.length === started);

  for (const { workflowId, result } of runs) {
    // Named by its scheduled slot: the workflow id carries it, and the digest is as of it.
    expect(workflowId).toBe(`${DIGEST_SCHEDULE_ID}-${result.digest.asOf.replace(/\.000Z$/, 'Z')}`);
    expect(result.deliveries.map((d) => [d.key, d.status])).toEqual([
      [`weekly_digest:${result.digest.asOf}:slack`, 'sent'],
      [`weekly_digest:${result.digest.asOf}:email`, 'sent'],
    ]);

    const report = await buildReport(env.client, {}, Date.parse(result.digest.asOf));
    expect(result.digest.partners).toBe(report.partners);
    expect(result.digest.partners).toBe(partners.length);
    expect(result.digest.atRisk.map((p) => p.partnerId)).toEqual([partners[1]!.partnerId]);
    expect(result.digest.topBottleneck).not.toBeNull();
    expect(result.digest.atRisk.map((p) => p.partnerId)).toEqual(report.atRisk.partners.slice(0, 20).map((p) => p.partnerId));
    expect(result.digest.atRiskTotal).toBe(report.atRisk.total);
    // The digest names the bottleneck by its title from the worker's playbook.
    expect(result.digest.topBottleneck).toEqual(
      report.topBottleneck && { ...report.topBottleneck, title: milestoneTitles(DEFAULT_PLAYBOOK)(report.topBottleneck.milestoneId) },
    );
    const values = Object.fromEntries(result.digest.indicators.map((i) => [i.id, [i.value, i.met]]));
    for (const group of [report.leading, report.lagging, report.quality]) {
      for (const [id, indicator] of Object.entries(group)) expect(values[id]).toEqual([indicator.value, indicator.met]);
    }
  }

  // Exactly one Slack post and one e-mail per run, each carrying that run's key.
  // (The partner behind on everything has its own escalations in the channel.)
  const posts = slack.posted.filter((p) => String(p.metadata?.event_payload.key).startsWith(DIGEST_SCHEDULE_ID));
  expect(posts.every((p) => p.channel === ESCALATION)).toBe(true);
  expect(posts.map((p) => p.metadata?.event_payload.key).sort()).toEqual(
    runs.map(({ workflowId, result }) => `${workflowId}/weekly_digest:${result.digest.asOf}:slack`).sort(),
  );
  const mails = smtp.messages.filter((m) => m.envelope.to.includes(LEAD));
  expect(mails.map((m) => m.headers['message-id']).sort()).toEqual(
    runs.map(({ workflowId, result }) => messageIdFor(`${workflowId}/weekly_digest:${result.digest.asOf}:email`)).sort(),
  );
  expect(mails[0]!.headers.subject).toMatch(/^Partner Program: weekly onboarding digest of \w{3}, \d{1,2} \w{3} \d{4}$/);
  expect(mails[0]!.text).toContain('Indicators:');
  expect(JSON.stringify(posts[0]!.blocks)).toContain('*Indicators*');
});
