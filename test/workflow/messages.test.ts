/**
 * What people receive, end to end: scripted journeys run through the real
 * workflow on the time-skipping server, delivering to a real SMTP server on
 * loopback and Slack's WebClient against a local Web API. What arrives is
 * exactly what `onboarding preview` (the pure domain, client/preview) shows for
 * the same journey, and it reads as a person needs it to.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { AccountsClient, conflictRuleOf } from '../../client/accounts';
import { PREVIEW_UNSUBSCRIBE_URL, previewJourney, scriptJourney, slackAsText, type Journey } from '../../client/preview';
import { parseConfig } from '../../config/env';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { WORKFLOW_TYPE, onboardingWorkflowId, partnerEventSignal } from '../../workflows/messages';
import type { Segment } from '../../workflows/types';
import { startFakeSlack, type FakeSlack } from '../activities/fixtures/slackServer';
import { startSmtpServer, type TestSmtpServer } from '../activities/fixtures/smtpServer';
import { createTestWorker, createTimeSkippingEnv, tempDataDir, uniq } from '../helpers/temporal';
import type { JourneyKind } from '../../client/preview/journey';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let smtp: TestSmtpServer;
let slack: FakeSlack;

beforeAll(async () => {
  [smtp, slack] = await Promise.all([startSmtpServer(), startFakeSlack()]);
});

afterAll(async () => {
  await Promise.all([smtp?.close(), slack?.close()]);
});

/**
 * A time-skipping server and the production worker for one journey: the Java
 * test server can freeze when a terminate races a run's last task, so journeys
 * never share one (ENGINEERING.md, known traps).
 */
async function withServer<T>(fn: (env: TestWorkflowEnvironment, taskQueue: string) => Promise<T>): Promise<T> {
  const env = await createTimeSkippingEnv();
  const taskQueue = uniq('messages-test');
  const config = parseConfig({
    DATA_DIR: tempDataDir(),
    SMTP_URL: smtp.url,
    SLACK_BOT_TOKEN: slack.token,
    SLACK_API_URL: slack.apiUrl,
    SLACK_ESCALATION_CHANNEL: 'C0ESCALATE',
    LOG_LEVEL: 'error',
    // Every e-mail carries its recipient's unsubscribe link, to where the preview says.
    PREFERENCES_SECRET: 'messages-test-secret-0123456789abcdef',
    PUBLIC_URL: new URL(PREVIEW_UNSUBSCRIBE_URL).origin,
  });
  const worker: Worker = await createTestWorker(env, taskQueue, config);
  try {
    return await worker.runUntil(fn(env, taskQueue));
  } finally {
    await env.teardown();
  }
}

interface Received {
  emails: string[];
  slack: string[];
}

/** Runs `journey` through the workflow and returns what the SMTP server and Slack received, as text. */
async function throughTheWorkflow(env: TestWorkflowEnvironment, taskQueue: string, journey: Journey): Promise<Received> {
  smtp.messages.length = 0;
  slack.posted.length = 0;
  const start = Date.parse(journey.profile.contractSignedAt!);
  // What the CRM said before (the direct team's accounts), as the preview assumes it.
  const accounts = new AccountsClient(env.client, { taskQueue, rule: conflictRuleOf(DEFAULT_PLAYBOOK) });
  for (const event of journey.accountEvents) await accounts.recordEvent(event);
  const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: onboardingWorkflowId(journey.profile.partnerId),
    args: [journey.profile, { playbook: DEFAULT_PLAYBOOK }],
  });
  const sleepUntil = async (at: number) => {
    const now = await env.currentTimeMs();
    if (at > now) await env.sleep(at - now);
  };
  for (const { hours, event } of journey.events) {
    await sleepUntil(start + hours * HOUR);
    // occurredAt pins the event to its scripted moment, as the simulation applies it.
    await handle.signal(partnerEventSignal, { ...event, occurredAt: new Date(start + hours * HOUR).toISOString() });
  }
  await sleepUntil(start + journey.days * DAY);
  await handle.query('onboardingState'); // every delivery of the last wake-up is recorded
  await handle.terminate('journey done'); // its worker stops with it: nothing is left holding the clock
  // Each recipient's copy carries a link signed for them; the preview shows where it points.
  const lines = (text: string) =>
    text
      .replace(/\r\n/g, '\n')
      .replace(/[ \t]+$/gm, '')
      .replace(/\/unsubscribe\?token=[A-Za-z0-9_.-]+/g, new URL(PREVIEW_UNSUBSCRIBE_URL).pathname + new URL(PREVIEW_UNSUBSCRIBE_URL).search)
      .trimEnd();
  return {
    emails: smtp.messages.map((m) => `Subject: ${m.headers.subject}\n\n${lines(m.text)}`).sort(),
    slack: slack.posted.map((p) => slackAsText({ text: p.text, blocks: p.blocks as never })).sort(),
  };
}

/** What the preview shows for the same journey. */
function throughThePreview(journey: Journey): Received {
  const preview = previewJourney(DEFAULT_PLAYBOOK, journey.segment, journey.kind, {
    contractSignedAt: journey.profile.contractSignedAt,
    partnerId: journey.profile.partnerId,
  });
  return {
    // One copy per recipient.
    emails: preview.messages
      .flatMap((m) => (m.email && m.request.channel === 'email' ? m.request.to.map(() => `Subject: ${m.email!.subject}\n\n${m.email!.text.trimEnd()}`) : []))
      .sort(),
    slack: preview.messages.filter((m) => m.slack).map((m) => slackAsText(m.slack!)).sort(),
  };
}

const journeys: [Segment, JourneyKind][] = [
  ['core', 'stalled'],
  ['strategic', 'happy'],
];

describe.each(journeys)('%s partner, %s journey', (segment, kind) => {
  let journey: Journey;
  let received: Received;

  beforeAll(async () => {
    received = await withServer(async (env, taskQueue) => {
      // Signed on the test server's clock, on a full hour.
      const now = await env.currentTimeMs();
      const signed = new Date(Math.ceil(now / HOUR) * HOUR).toISOString();
      journey = scriptJourney(DEFAULT_PLAYBOOK, segment, kind, { contractSignedAt: signed, partnerId: uniq(`${segment}-${kind}`) });
      return throughTheWorkflow(env, taskQueue, journey);
    });
  }, 300_000);

  test('the SMTP server and Slack received exactly what the preview shows', () => {
    const expected = throughThePreview(journey);
    expect(received.emails.length).toBeGreaterThan(5);
    expect(received.emails).toEqual(expected.emails);
    expect(received.slack).toEqual(expected.slack);
  });

  test('the welcome e-mail states the segment\'s own number of days and names the manager', () => {
    const welcome = received.emails.find((e) => e.startsWith('Subject: Welcome to the'));
    const days = { core: 90, strategic: 120, transactional: 60 }[segment];
    expect(welcome).toContain(`Over the next ${days} days`);
    expect(welcome).toContain('Dana Ruiz is your partner manager');
  });

  test('every reminder e-mail names each milestone it reminds of, and the due date', () => {
    const titles = DEFAULT_PLAYBOOK.segments[segment].milestones.map((m) => m.title);
    const reminders = received.emails.filter((e) => e.startsWith('Subject: Reminder:'));
    for (const reminder of reminders) {
      const bundle = /^Subject: Reminder: (\d+) steps due \w{3}, \d{1,2} \w{3} \d{4}\n/.exec(reminder);
      if (bundle) {
        // Reminders due together (workflows/domain/bundles.ts): one line per milestone, each by its title.
        const lines = reminder.match(/^- .+$/gm) ?? [];
        expect(lines).toHaveLength(Number(bundle[1]));
        for (const line of lines) expect(titles.some((t) => line.startsWith(`- ${t}`))).toBe(true);
      } else {
        expect(titles.some((t) => reminder.startsWith(`Subject: Reminder: ${t} is due `))).toBe(true);
        expect(reminder).toMatch(/is due on \w{3}, \d{1,2} \w{3} \d{4}\./);
      }
    }
    // Product training and its assessment share a due date: the stalled partner's contacts get one e-mail
    // for both (a copy each), and none for either alone.
    if (kind === 'stalled' && segment !== 'transactional') {
      const both = reminders.filter((r) => r.includes('Product training') && r.includes('Product knowledge assessment passed'));
      expect(both.length).toBeGreaterThan(0);
      expect(new Set(both).size).toBe(1);
      expect(reminders.filter((r) => /^Subject: Reminder: Product (training|knowledge assessment passed) is due/.test(r))).toEqual([]);
    }
  });

  test('every at-risk and checkpoint message lists its reasons or gaps', () => {
    const decisions = received.slack.filter((t) => /^# (At risk:|.+checkpoint needs a decision|.+extended by)/m.test(t));
    if (kind === 'stalled') expect(decisions.length).toBeGreaterThanOrEqual(3);
    for (const message of decisions) expect(message).toMatch(/\*(Why|Gaps|Open gaps)\*\n• \S/);
  });
});
