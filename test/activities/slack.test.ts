/**
 * Slack delivery through the real WebClient against a local Web API server:
 * where messages go, what they say, that a retry never posts twice, and how
 * Slack faults are classified.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import { outboxTransport } from '../../activities/email';
import { deliveryHash, fileSentLog } from '../../activities/sentLog';
import { SLACK_EVENT_TYPE, fileTransport, slackClient, webApiTransport, type SlackTransport } from '../../activities/slack';
import type { NotificationRequest } from '../../workflows/notifications';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { domainRequest } from '../helpers/domainMessages';
import { startFakeSlack, type FakeSlack } from './fixtures/slackServer';
import { deliveryInput, memoryLogger, tempDir } from './fixtures/support';

const ESCALATION = 'C0ESCALATE';

/** The 24-hour SLA nudge as the domain sends it (a stalled core partner), to the manager U0123. */
const slaToManager = {
  ...domainRequest('opportunity_sla_manager', 'slack'),
  key: 'sla24:opp-1',
  to: { userId: 'U0123', label: 'dana@vendor.example' },
};

/** The at-risk escalation as the domain sends it. */
const atRisk = { ...domainRequest('at_risk', 'slack'), key: 'at-risk:1' };

describe('Slack delivery through the Web API', () => {
  let slack: FakeSlack;
  let dirs: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    slack = await startFakeSlack();
    dirs = await tempDir();
  });
  afterAll(async () => {
    await slack.close();
    await dirs.remove();
  });
  beforeEach(() => {
    slack.requests.length = 0;
    slack.posted.length = 0;
    slack.missing.clear();
  });

  let logs = 0;
  function activities(opts: { transport?: SlackTransport; token?: string; escalationChannel?: string | null } = {}) {
    logs += 1;
    const log = memoryLogger();
    const { deliverNotification } = createActivities({
      program: DEFAULT_PLAYBOOK.program,
      mailer: outboxTransport(path.join(dirs.dir, 'outbox')),
      slack: opts.transport ?? webApiTransport(slackClient(opts.token ?? slack.token, slack.apiUrl)),
      config: { from: 'onboarding@vendor.example', escalationChannel: opts.escalationChannel === null ? undefined : ESCALATION },
      // A fresh sent-log per call of this helper: a new helper is a worker that lost its log.
      sentLog: fileSentLog(path.join(dirs.dir, `sent-log-${logs}`)),
      log,
    });
    return { deliverNotification, log };
  }

  test('a manager nudge is a DM: open the conversation, check it, post once with blocks and metadata', async () => {
    const input = deliveryInput(slaToManager);
    const result = await activities().deliverNotification(input);

    expect(slack.requests.map((r) => r.method)).toEqual(['conversations.open', 'conversations.history', 'chat.postMessage']);
    expect(slack.requests.every((r) => r.authorization === `Bearer ${slack.token}`)).toBe(true);
    expect(slack.calls('conversations.open')[0]!.params.users).toBe('U0123');
    expect(slack.calls('conversations.history')[0]!.params).toMatchObject({ channel: 'D-U0123', include_all_metadata: 'true' });

    expect(slack.posted).toHaveLength(1);
    const [post] = slack.posted;
    expect(result).toEqual({ key: 'sla24:opp-1', status: 'sent', providerId: post!.ts });
    expect(post!.channel).toBe('D-U0123');
    expect(post!.metadata).toEqual({ event_type: SLACK_EVENT_TYPE, event_payload: { key: `${input.workflowId}/sla24:opp-1` } });
    // The registration time reads in each reader's own time zone (Slack's date token), UTC as fallback.
    expect(post!.text).toContain(
      'Northwind Systems registered opportunity Globex (opp-1), $40,000 on <!date^1798455600^{date_short_pretty} at {time}|Mon, 28 Dec 2026, 11:00 UTC>, 24 hours ago',
    );
    expect(post!.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Northwind Systems: Globex (opp-1) waits for an answer', emoji: true },
    });
    expect(JSON.stringify(post!.blocks)).toContain('We promise an answer within 24 hours.');
    expect(JSON.stringify(post!.blocks)).toContain('Next step: acknowledge it');
    expect(post!.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Partner `northwind-core` · Partner Program · opportunity_sla_manager' }],
    });
  });

  test('an escalation goes to the escalation channel, with no conversations.open', async () => {
    await activities().deliverNotification(deliveryInput(atRisk));

    expect(slack.requests.map((r) => r.method)).toEqual(['conversations.history', 'chat.postMessage']);
    expect(slack.posted[0]!.channel).toBe(ESCALATION);
    expect(slack.posted[0]!.text).toBe(
      'At risk: Northwind Systems: Northwind Systems (day 44, Foundation phase) is at risk of stalling. Partner manager: Dana Ruiz (dana.ruiz@vendor.example).',
    );
    expect(JSON.stringify(slack.posted[0]!.blocks)).toContain('*Why*\\n• Product training overdue by 14 days (due <!date^');
  });

  test('a manager without a Slack user id falls back to the escalation channel', async () => {
    await activities().deliverNotification(deliveryInput({ ...slaToManager, to: { label: 'dana@vendor.example' } }));
    expect(slack.posted.map((p) => p.channel)).toEqual([ESCALATION]);
  });

  test('no user id and no escalation channel: a failed result that says why, and no call to Slack', async () => {
    const result = await activities({ escalationChannel: null }).deliverNotification(deliveryInput(atRisk));
    expect(result).toEqual({ key: 'at-risk:1', status: 'failed', error: 'no Slack target: SLACK_ESCALATION_CHANNEL is not set' });
    expect(slack.requests).toHaveLength(0);
  });

  test('mrkdwn control characters in data are escaped: no stray mentions', async () => {
    const partner = { ...slaToManager.partner, name: 'A <@U999> & <!channel> Co' };
    await activities().deliverNotification(deliveryInput({ ...slaToManager, partner } as NotificationRequest));
    const [post] = slack.posted;
    const sections = post!.blocks.filter((b) => (b as { type: string }).type === 'section');
    expect(JSON.stringify(sections)).toContain('A &lt;@U999&gt; &amp; &lt;!channel&gt; Co registered');
    expect(JSON.stringify(sections)).not.toContain('<!channel>');
    expect(post!.text).not.toContain('<!channel>');
    // A plain_text header is never parsed: the name shows as typed.
    expect(post!.blocks[0]).toMatchObject({ text: { type: 'plain_text', text: expect.stringContaining('A <@U999> & <!channel> Co') } });
  });

  test('a retried activity does not post twice, and the retry does not even call Slack', async () => {
    const { deliverNotification } = activities();
    const input = deliveryInput(slaToManager);

    const first = await deliverNotification(input);
    const callsAfterFirst = slack.requests.length;
    const second = await deliverNotification(input);

    expect(slack.posted).toHaveLength(1);
    expect(second).toEqual({ ...first, duplicate: true });
    expect(slack.requests).toHaveLength(callsAfterFirst);
  });

  test('a crash between the post and the sent-log write: the metadata check finds the post', async () => {
    const input = deliveryInput(slaToManager);
    const first = await activities().deliverNotification(input);
    const retried = await activities().deliverNotification(input); // a fresh sent-log: the entry was never written

    expect(slack.posted).toHaveLength(1);
    expect(slack.calls('chat.postMessage')).toHaveLength(1);
    expect(retried).toEqual({ ...first, duplicate: true });
  });

  test('a post whose response was lost (500 after Slack stored it) is found on retry, not posted again', async () => {
    const { deliverNotification } = activities();
    const input = deliveryInput(atRisk);
    slack.fail('chat.postMessage', { status: 500, afterApplying: true });

    await expect(deliverNotification(input)).rejects.toMatchObject({ type: 'SlackUnavailable', nonRetryable: false });
    const retried = await deliverNotification(input);

    expect(slack.posted).toHaveLength(1);
    expect(retried).toMatchObject({ status: 'sent', duplicate: true, providerId: slack.posted[0]!.ts });
  });

  test('429 with Retry-After: a retryable failure carrying nextRetryDelay, the client does not wait or retry, then one post', async () => {
    const { deliverNotification } = activities();
    const input = deliveryInput(atRisk);
    slack.fail('chat.postMessage', { status: 429, headers: { 'retry-after': '7' }, body: { ok: false, error: 'ratelimited' } });

    const started = Date.now();
    const limited = deliverNotification(input);
    await expect(limited).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(limited).rejects.toMatchObject({ type: 'SlackRateLimited', nonRetryable: false, nextRetryDelay: 7000 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(slack.calls('chat.postMessage')).toHaveLength(1);

    await expect(deliverNotification(input)).resolves.toMatchObject({ status: 'sent' });
    expect(slack.calls('chat.postMessage')).toHaveLength(2);
    expect(slack.posted).toHaveLength(1);
  });

  test('a storm of 500s: every attempt throws retryable, nothing is posted; recovery posts once', async () => {
    const { deliverNotification } = activities();
    const input = deliveryInput(atRisk);
    slack.fail('conversations.history', { status: 500 }, 2);
    slack.fail('chat.postMessage', { status: 503 }, 3);

    for (let attempt = 0; attempt < 5; attempt += 1) {
      await expect(deliverNotification(input)).rejects.toMatchObject({ type: 'SlackUnavailable', nonRetryable: false });
    }
    expect(slack.posted).toHaveLength(0);

    await expect(deliverNotification(input)).resolves.toMatchObject({ status: 'sent' });
    expect(slack.posted).toHaveLength(1);
  });

  test('Slack unreachable is retryable', async () => {
    const down = await startFakeSlack();
    await down.close();
    const transport = webApiTransport(slackClient(down.token, down.apiUrl));
    await expect(activities({ transport }).deliverNotification(deliveryInput(atRisk))).rejects.toMatchObject({
      type: 'SlackUnavailable',
      nonRetryable: false,
    });
  });

  test.each([
    ['channel_not_found', () => slack.missing.add(ESCALATION), atRisk, {}],
    ['user_not_found', () => slack.missing.add('U0123'), slaToManager, {}],
    ['invalid_auth', () => undefined, atRisk, { token: 'xoxb-wrong' }],
  ])('%s is a failed result, not an error', async (error, arrange, request, opts) => {
    arrange();
    const { deliverNotification, log } = activities(opts);
    const result = await deliverNotification(deliveryInput(request));

    expect(result).toEqual({ key: request.key, status: 'failed', error });
    expect(slack.posted).toHaveLength(0);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'WARN', meta: expect.objectContaining({ error }) }));
  });

  test('a DM channel is opened once per user, not once per message', async () => {
    const { deliverNotification } = activities();
    await deliverNotification(deliveryInput(slaToManager));
    await deliverNotification(deliveryInput({ ...domainRequest('week2_checkin', 'slack'), to: slaToManager.to, key: 'week2' }));

    expect(slack.calls('conversations.open')).toHaveLength(1);
    expect(slack.posted).toHaveLength(2);
  });

  test('without a token, each message is a JSON file named by the key; a retry overwrites it', async () => {
    const dir = path.join(dirs.dir, 'slack-files');
    const input = deliveryInput(slaToManager);
    const first = await activities({ transport: fileTransport(dir) }).deliverNotification(input);
    await activities({ transport: fileTransport(dir) }).deliverNotification(input);

    const file = `${deliveryHash(`${input.workflowId}/sla24:opp-1`)}.json`;
    expect(first).toEqual({ key: 'sla24:opp-1', status: 'sent', providerId: file });
    expect(await readdir(dir)).toEqual([file]);
    const written = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as Record<string, unknown>;
    expect(written).toMatchObject({
      to: { user: 'U0123' },
      key: `${input.workflowId}/sla24:opp-1`,
      metadata: { event_type: SLACK_EVENT_TYPE },
    });
    expect(written.blocks).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'header' })]));
    expect(slack.requests).toHaveLength(0);
  });
});
