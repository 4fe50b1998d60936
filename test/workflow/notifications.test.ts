/**
 * Timed nudges end to end: the workflow on the time-skipping server, delivering
 * through a real SMTP server on loopback and Slack's WebClient pointed at a
 * local HTTP endpoint. Each reminder, SLA escalation and checkpoint summary
 * fires on its day; none fires when the partner is in time.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { parseConfig } from '../../config/env';
import { partnerEventSignal } from '../../workflows/messages';
import type { NotificationView, OnboardingState, PartnerEvent } from '../../workflows/types';
import { startFakeSlack, type FakeSlack } from '../activities/fixtures/slackServer';
import { startSmtpServer, type TestSmtpServer } from '../activities/fixtures/smtpServer';
import { DAY_MS, sleepUntilDay, stateOf } from '../helpers/drive';
import { profileFor } from '../helpers/journeys';
import { startPartner } from '../helpers/runJourney';
import { createTestWorker, createTimeSkippingEnv, tempDataDir, uniq } from '../helpers/temporal';

const HOUR_MS = 60 * 60 * 1000;
const ESCALATION_CHANNEL = 'C0ESCALATE';

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let smtp: TestSmtpServer;
let slack: FakeSlack;
const taskQueue = uniq('notifications-test');

beforeAll(async () => {
  [env, smtp, slack] = await Promise.all([createTimeSkippingEnv(), startSmtpServer(), startFakeSlack()]);
  const config = parseConfig({
    DATA_DIR: tempDataDir(),
    SMTP_URL: smtp.url,
    EMAIL_FROM: 'Partner Success <partners@vendor.example>',
    SLACK_BOT_TOKEN: slack.token,
    SLACK_API_URL: slack.apiUrl,
    SLACK_ESCALATION_CHANNEL: ESCALATION_CHANNEL,
  });
  worker = await createTestWorker(env, taskQueue, config);
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await Promise.all([env?.teardown(), smtp?.close(), slack?.close()]);
});

function ev(eventId: string, type: PartnerEvent['type'], data?: unknown): PartnerEvent {
  return { eventId, type, ...(data === undefined ? {} : { data }) } as PartnerEvent;
}

/** Hours after the contract at which each notification of `kind` was delivered. */
function hoursOf(state: OnboardingState, kind: string, channel?: NotificationView['channel']): number[] {
  const start = Date.parse(state.startedAt);
  return state.notifications
    .filter((n) => n.kind === kind && (!channel || n.channel === channel))
    .map((n) => Math.round(((Date.parse(n.at) - start) / HOUR_MS) * 10) / 10);
}

/** Partner e-mails wait for business hours (Mon-Fri 09:00-17:00, here UTC). */
function inBusinessHours(iso: string): boolean {
  const d = new Date(iso);
  return d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && d.getUTCHours() >= 9 && d.getUTCHours() < 17;
}

describe('a stalled core partner', () => {
  let state: OnboardingState;
  let partnerId: string;

  beforeAll(async () => {
    const { handle, startedAt } = await startPartner(env, taskQueue, profileFor('core', (partnerId = uniq('stalled'))));
    await sleepUntilDay(env, startedAt, 31);
    state = await stateOf(handle);
  });

  it('welcomes the partner contacts by e-mail with clear next steps, in business hours', () => {
    const welcome = state.notifications.filter((n) => n.kind === 'welcome');
    expect(welcome).toEqual([expect.objectContaining({ channel: 'email', status: 'sent', to: 'lee@partner.example' })]);
    expect(inBusinessHours(welcome[0]!.at)).toBe(true);
    expect(hoursOf(state, 'welcome')[0]).toBeLessThanOrEqual(72);
    const mail = smtp.messages.find((m) => m.envelope.to.includes('lee@partner.example') && m.text.includes(state.name));
    expect(mail).toBeDefined();
    expect(mail!.headers.subject).toMatch(/welcome/i);
    expect(state.milestones.find((m) => m.id === 'welcome_email')!.status).toBe('done');
  });

  it('escalates missing portal access and kickoff to the manager at 48 hours', () => {
    expect(hoursOf(state, 'access_overdue', 'slack')).toEqual([48]);
    const dm = slack.posted.filter((m) => m.channel === 'D-U0DANA' && m.text.includes(state.name));
    expect(dm.length).toBeGreaterThan(0);
  });

  it('reminds the manager of the week-2 check-in on day 12', () => {
    expect(hoursOf(state, 'week2_checkin', 'slack')).toEqual([12 * 24]);
  });

  it('nudges a stalled training first to the partner, then to the manager', () => {
    // business_101_training is due on day 14: partner at +48 h (business hours), manager at +120 h.
    const partner = state.notifications.filter((n) => n.kind === 'training_stalled_partner');
    expect(partner.length).toBeGreaterThan(0);
    const first = Math.min(...hoursOf(state, 'training_stalled_partner'));
    expect(first).toBeGreaterThanOrEqual(16 * 24);
    expect(first).toBeLessThanOrEqual(16 * 24 + 72);
    expect(partner.every((n) => inBusinessHours(n.at))).toBe(true);
    expect(Math.min(...hoursOf(state, 'training_stalled_manager', 'slack'))).toBe(19 * 24);
  });

  it('sends the checkpoint summary with the gaps on day 30', () => {
    expect(hoursOf(state, 'checkpoint_summary', 'slack')).toEqual([30 * 24]);
    const summary = slack.posted.find((m) => m.channel === 'D-U0DANA' && m.text.includes('checkpoint needs a decision') && m.text.includes(state.name));
    const blocks = JSON.stringify(summary?.blocks);
    expect(blocks).toContain('Portal, training and deal registration access');
    expect(blocks).toContain('Product knowledge assessment passed');
  });

  it('delivers each notification once', () => {
    const keys = state.notifications.map((n) => `${n.key}/${n.channel}`);
    expect(new Set(keys).size).toBe(keys.length);
    const slackKeys = slack.posted.map((m) => m.metadata?.event_payload.key).filter((k) => String(k).includes(partnerId));
    expect(new Set(slackKeys).size).toBe(slackKeys.length);
  });
});

describe('a partner who is on time', () => {
  it('gets no overdue, stall or SLA nudges', async () => {
    const { handle, startedAt } = await startPartner(env, taskQueue, profileFor('core', uniq('ontime')));
    await sleepUntilDay(env, startedAt, 1);
    for (const [i, [type, data]] of (
      [
        ['kickoff_completed'],
        ['portal_access_granted'],
        ['contacts_designated', { contacts: [{ role: 'technical', name: 'Kim', email: 'kim@partner.example' }] }],
        ['profile_completed'],
        ['agreements_signed'],
        ['training_completed', { module: 'business_101' }],
        ['opportunity_registered', { opportunityId: 'opp-1' }],
        ['target_accounts_shared', { accounts: ['Globex'] }],
      ] as [PartnerEvent['type'], unknown?][]
    ).entries()) {
      await handle.signal(partnerEventSignal, ev(`e${i}`, type, data));
    }
    await env.sleep(20 * HOUR_MS);
    await handle.signal(partnerEventSignal, ev('ack', 'opportunity_acknowledged', { opportunityId: 'opp-1' }));
    await sleepUntilDay(env, startedAt, 20);
    const state = await stateOf(handle);
    const kinds = state.notifications.map((n) => n.kind);
    for (const late of ['access_overdue', 'training_stalled_partner', 'training_stalled_manager', 'opportunity_sla_manager', 'opportunity_sla_escalation']) {
      expect(kinds).not.toContain(late);
    }
    expect(kinds).toContain('welcome');
    expect(state.opportunities[0]).toMatchObject({ opportunityId: 'opp-1', slaBreached: false });
    expect(state.health).toBe('on_track');
  });
});

describe('the 24-hour response SLA on a registered opportunity', () => {
  it('tells the manager at 24 hours and the escalation channel at 48 hours', async () => {
    const { handle } = await startPartner(env, taskQueue, profileFor('core', uniq('sla'), { experienced: true }));
    const registeredAt = await env.currentTimeMs();
    await handle.signal(partnerEventSignal, ev('r1', 'opportunity_registered', { opportunityId: 'opp-9', account: 'Globex' }));
    await env.sleep(49 * HOUR_MS);
    const state = await stateOf(handle);
    const at = (kind: string) => state.notifications.filter((n) => n.kind === kind).map((n) => Math.round((Date.parse(n.at) - registeredAt) / HOUR_MS));
    expect(at('opportunity_sla_manager')).toEqual([24]);
    expect(at('opportunity_sla_escalation')).toEqual([48]);
    expect(state.opportunities[0]).toMatchObject({ opportunityId: 'opp-9', slaBreached: true });
    expect(slack.posted.some((m) => m.channel === ESCALATION_CHANNEL && m.text.includes('opp-9'))).toBe(true);

    // Acknowledging stops the clock: nothing more for this opportunity.
    await handle.signal(partnerEventSignal, ev('k1', 'opportunity_acknowledged', { opportunityId: 'opp-9' }));
    await env.sleep(5 * DAY_MS);
    const later = await stateOf(handle);
    expect(later.notifications.filter((n) => n.kind.startsWith('opportunity_sla'))).toHaveLength(2);
    expect(later.opportunities[0]!.acknowledgedAt).not.toBeNull();
  });
});
