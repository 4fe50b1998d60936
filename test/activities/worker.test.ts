/**
 * The activity inside a real Temporal worker, against the time-skipping test
 * server: Temporal owns the retries, a rate limit costs one extra attempt and no
 * extra post, and a permanent failure is a result, not a failed workflow.
 */
import path from 'node:path';
import { tsToMs } from '@temporalio/common/lib/time';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { outboxTransport } from '../../activities/email';
import { fileSentLog } from '../../activities/sentLog';
import { slackClient, webApiTransport } from '../../activities/slack';
import type { NotificationRequest } from '../../workflows/notifications';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { domainRequest } from '../helpers/domainMessages';
import { startFakeSlack, type FakeSlack } from './fixtures/slackServer';
import { memoryLogger, tempDir } from './fixtures/support';
import { deliverOne } from './fixtures/workflows';

const TEST_SERVER = process.env.TEMPORAL_TEST_SERVER_PATH ?? path.resolve(__dirname, '../../.tools/venv/bin/temporal-test-server');
const ESCALATION = 'C0ESCALATE';

const atRisk = { ...domainRequest('at_risk', 'slack'), key: 'at-risk:1' };

describe('deliverNotification in a Temporal worker', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let slack: FakeSlack;
  let dirs: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      // installed already by another test file in this process
    }
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: TEST_SERVER } },
    });
    bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('./fixtures/workflows'),
      logger: new DefaultLogger('WARN'),
    });
    slack = await startFakeSlack();
    dirs = await tempDir();
  });

  afterAll(async () => {
    await env?.teardown();
    await slack?.close();
    await dirs?.remove();
  });

  beforeEach(() => {
    slack.requests.length = 0;
    slack.posted.length = 0;
    slack.missing.clear();
  });

  async function run(request: NotificationRequest) {
    const id = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const taskQueue = `notifications-${id}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: createActivities({
        program: DEFAULT_PLAYBOOK.program,
        mailer: outboxTransport(path.join(dirs.dir, 'outbox')),
        slack: webApiTransport(slackClient(slack.token, slack.apiUrl)),
        config: { from: 'onboarding@vendor.example', escalationChannel: ESCALATION },
        sentLog: fileSentLog(path.join(dirs.dir, 'sent-log')),
        log: memoryLogger(),
      }),
    });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start(deliverOne, { args: [request], taskQueue, workflowId: `onboarding-${id}` });
      const result = await handle.result();
      const events = (await handle.fetchHistory()).events ?? [];
      const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes);
      const started = events.find((e) => e.activityTaskStartedEventAttributes);
      return {
        result,
        /** The attempt that completed (the server records only the last start). */
        attempt: started?.activityTaskStartedEventAttributes?.attempt,
        /** Server time from scheduling the activity to starting that attempt. */
        waitedMs: tsToMs(started?.eventTime) - tsToMs(scheduled?.eventTime),
      };
    });
  }

  test('Slack 429 then 200: Temporal retries after Retry-After, and Slack sees exactly one post', async () => {
    slack.fail('chat.postMessage', { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } });

    const { result, attempt, waitedMs } = await run(atRisk);

    expect(result).toEqual({ key: 'at-risk:1', status: 'sent', providerId: slack.posted[0]!.ts });
    expect(attempt).toBe(2);
    // Retry-After (1 s), not the retry policy's 100 ms initial interval, set the pause.
    expect(waitedMs).toBeGreaterThanOrEqual(1000);
    expect(slack.calls('chat.postMessage')).toHaveLength(2);
    expect(slack.posted).toHaveLength(1);
  });

  test('a permanent failure is a result: the workflow completes with status failed after one attempt', async () => {
    slack.missing.add(ESCALATION);

    const { result, attempt } = await run({ ...atRisk, key: 'at-risk:2' });

    expect(result).toEqual({ key: 'at-risk:2', status: 'failed', error: 'channel_not_found' });
    expect(attempt).toBe(1);
    expect(slack.posted).toHaveLength(0);
  });
});
