/**
 * Issue 13's "done when" for notification preferences, end to end: the
 * partnerOnboarding and recipientPreferences workflows on a real Temporal
 * server (the dev server, in real time), the production worker delivering to a
 * real SMTP server on loopback and to Slack's WebClient against a local Web
 * API, and the HTTP API and CLI in front.
 *
 * - A contact unsubscribes with the link in their welcome e-mail (the page, then
 *   the RFC 8058 POST a mail client makes). From then on they receive no
 *   reminders and no updates (for every partner they are a contact of), but
 *   still the essential messages; the other contact gets everything.
 * - A manager's quiet hours (set with the CLI) hold a Slack nudge back; the
 *   workflow requests it again when they end, and it is posted once.
 *
 * Partner e-mails wait for business hours: the test's playbook makes every hour
 * one, so the test does not depend on the day or hour it runs.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { createActivitiesFromConfig } from '../../activities';
import { createReportActivities } from '../../activities/reports';
import { accountActivitiesFor } from '../../client/accounts';
import { createApiServer } from '../../client/api';
import { OnboardingClient } from '../../client/onboardingClient';
import { preferenceSourceFor } from '../../client/preferences';
import { programDigestReader } from '../../client/reports/digest';
import type { Timeline } from '../../client/apiTypes';
import { parseConfig, type Config } from '../../config/env';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import type { Playbook } from '../../workflows/playbook';
import type { OnboardingState, PartnerProfile } from '../../workflows/types';
import { createOnboardingWorker } from '../../workers/createWorker';
import { startFakeSlack, type FakeSlack } from '../activities/fixtures/slackServer';
import { startSmtpServer, type CapturedMail, type TestSmtpServer } from '../activities/fixtures/smtpServer';
import { eventually } from '../api/harness';
import { createDevEnv, tempDataDir, uniq, workflowBundle } from '../helpers/temporal';
import { MIN_DEFERRAL_MS } from '../../workflows/domain/deferrals';

const ROOT = path.resolve(__dirname, '../..');
const KEY = 'all-roles-key-0123456789abcdef';
const DAY = 86_400_000;
/** The default playbook, with every hour a business hour. */
const PLAYBOOK: Playbook = { ...DEFAULT_PLAYBOOK, businessHours: { weekdays: [1, 2, 3, 4, 5, 6, 7], startHour: 0, endHour: 24 } };

let env: TestWorkflowEnvironment;
let smtp: TestSmtpServer;
let slack: FakeSlack;
let worker: Worker;
let running: Promise<void>;
let app: FastifyInstance;
let apiUrl: string;
let client: OnboardingClient;

beforeAll(async () => {
  [env, smtp, slack] = await Promise.all([createDevEnv(), startSmtpServer(), startFakeSlack()]);
  const taskQueue = uniq('preferences');
  app = await createApiServer({ client: env.client, config: configFor(taskQueue, 'http://placeholder'), playbook: PLAYBOOK, logger: { level: 'silent' } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  apiUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  // The worker signs links to where the API listens (PUBLIC_URL).
  const config = configFor(taskQueue, apiUrl);
  worker = await createOnboardingWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    // No cache here (the worker's default keeps preferences for 30 seconds): a change applies to the next delivery.
    activities: createActivitiesFromConfig(config, PLAYBOOK.program, undefined, undefined, preferenceSourceFor(env.client, config, 0)),
    reportActivities: createReportActivities({ readDigest: programDigestReader(env.client, PLAYBOOK) }),
    accountActivities: accountActivitiesFor(env.client, taskQueue, PLAYBOOK),
    workflowBundle: await workflowBundle(),
    shutdownGraceTime: '1 second',
  });
  running = worker.run();
  client = new OnboardingClient(env.client, { taskQueue, playbook: PLAYBOOK });
}, 120_000);

afterAll(async () => {
  await app?.close();
  worker?.shutdown();
  await running;
  await Promise.all([env?.teardown(), smtp?.close(), slack?.close()]);
});

function configFor(taskQueue: string, publicUrl: string): Config {
  return parseConfig({
    DATA_DIR: tempDataDir(),
    TEMPORAL_TASK_QUEUE: taskQueue,
    SMTP_URL: smtp.url,
    SLACK_BOT_TOKEN: slack.token,
    SLACK_API_URL: slack.apiUrl,
    SLACK_ESCALATION_CHANNEL: 'C0ESCALATE',
    API_KEYS: ['ops', 'system', 'manager'].map((role) => `${role}:${KEY}`).join(','),
    PREFERENCES_SECRET: 'e2e-preferences-secret-0123456789abcdef',
    PUBLIC_URL: publicUrl,
    LOG_LEVEL: 'error',
  });
}

function profile(overrides: Partial<PartnerProfile>): PartnerProfile {
  return {
    partnerId: uniq('partner'),
    name: 'Acme Cloud GmbH',
    segment: 'core',
    role: 'sales',
    contractSignedAt: new Date().toISOString(),
    timezone: 'UTC',
    partnerManager: { name: 'Dana Ruiz', email: `${uniq('dana')}@vendor.example`, slackUserId: 'U0DANA' },
    ...overrides,
  };
}

const mailsTo = (address: string, partnerName: string): CapturedMail[] =>
  smtp.messages.filter((m) => m.envelope.to.includes(address) && m.text.includes(partnerName));
const subjects = (mails: CapturedMail[]) => mails.map((m) => m.headers.subject!.replace(/ is due .*/, ' is due …'));
const events = (partnerId: string, list: { type: string; data?: unknown }[]) =>
  client.sendEvents(partnerId, list.map((e, i) => ({ eventId: `${partnerId}-${i}-${e.type}`, ...e }) as never));
const settledState = (partnerId: string, check: (s: OnboardingState) => boolean) =>
  eventually(() => client.state(partnerId), check, 30_000);

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin/onboarding.js'), ...args],
      { cwd: ROOT, env: { ...process.env, ONBOARDING_API_URL: apiUrl, ONBOARDING_API_KEY: KEY }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('an unsubscribed contact receives no reminders, but still receives essential messages', () => {
  const lee = `${uniq('lee')}@acme.example`;
  const kim = `${uniq('kim')}@acme.example`;
  const contacts = [
    { role: 'sales', name: 'Lee Park', email: lee },
    { role: 'technical', name: 'Kim Okafor', email: kim },
  ];

  it('unsubscribes with the link in the welcome e-mail: the page first (nothing changes), then the one-click POST', async () => {
    const acme = profile({ name: 'Acme Cloud GmbH', contacts });
    await client.start(acme);
    const [welcome] = await eventually(
      async () => mailsTo(lee, acme.name),
      (m) => m.length === 1,
    );
    expect(welcome!.headers.subject).toBe('Welcome to the Partner Program, Acme Cloud GmbH');
    const link = /^<(.+)>$/.exec(welcome!.headers['list-unsubscribe']!)![1]!;
    expect(link.startsWith(`${apiUrl}/unsubscribe?token=`)).toBe(true);
    expect(welcome!.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(welcome!.text).toContain(`Your e-mail preferences: ${link}`);

    // A link scanner (or the recipient) opens it: the page, no change.
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Unsubscribe from onboarding reminders?');
    expect(JSON.parse((await cli(['preferences', lee, '--json'])).stdout)).toMatchObject({ unsubscribed: false, changes: 0 });
    // A tampered link is refused.
    expect((await fetch(link.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), { method: 'POST', body: 'List-Unsubscribe=One-Click' })).status).toBe(403);

    // The mail client's one-click unsubscribe (RFC 8058).
    const done = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(done.status).toBe(200);
    const shown = await cli(['preferences', lee]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/unsubscribed\s+yes/);

    // An essential message (a refused registration) reaches both; the next phase's update (not essential) only Kim.
    await events(acme.partnerId, [{ type: 'opportunity_registered', data: { opportunityId: 'opp-1', account: 'Globex' } }]);
    await events(acme.partnerId, [
      { type: 'portal_access_granted' },
      { type: 'contacts_designated', data: { contacts } },
      { type: 'opportunity_identified', data: { opportunityId: 'opp-2', account: 'Initech' } },
      { type: 'training_completed', data: { module: 'product' } },
      { type: 'assessment_completed', data: { assessment: 'product', score: 92 } },
    ]);
    const state = await settledState(acme.partnerId, (s) => s.notifications.some((n) => n.kind === 'phase_advanced'));
    expect(state.phase).toBe('activation');
    await eventually(
      async () => mailsTo(kim, acme.name),
      (m) => m.length === 3,
    );
    expect(subjects(mailsTo(kim, acme.name))).toEqual([
      'Welcome to the Partner Program, Acme Cloud GmbH',
      'Finish Business 101 training to register Globex (opp-1)',
      'Next up: the Activation phase',
    ]);
    expect(subjects(mailsTo(lee, acme.name))).toEqual([
      'Welcome to the Partner Program, Acme Cloud GmbH',
      'Finish Business 101 training to register Globex (opp-1)',
    ]);
    // The partner's state says who was skipped, and why.
    expect(state.notifications.find((n) => n.kind === 'phase_advanced')).toMatchObject({ status: 'sent', reason: '1 of 2 recipients: unsubscribed' });
  });

  it('holds for every partner the contact hears about: a reminder is suppressed (state and timeline), the welcome still arrives', async () => {
    // Signed five days ago: the reminder for primary contacts (due day 7, three days ahead) is due at once.
    const initech = profile({ name: 'Initech Cloud', contacts: [contacts[0]!], contractSignedAt: new Date(Date.now() - 5 * DAY).toISOString() });
    await client.start(initech);
    const state = await settledState(initech.partnerId, (s) => s.notifications.some((n) => n.kind === 'milestone_reminder'));
    expect(state.notifications.filter((n) => n.kind === 'milestone_reminder')).toEqual([
      expect.objectContaining({ key: 'milestone_reminder:primary_contacts:d7:partner', status: 'suppressed', reason: 'unsubscribed' }),
    ]);
    expect(state.notifications.find((n) => n.kind === 'welcome')).toMatchObject({ status: 'sent' });
    await eventually(
      async () => mailsTo(lee, initech.name),
      (m) => m.length >= 1,
    );
    expect(subjects(mailsTo(lee, initech.name))).toEqual(['Welcome to the Partner Program, Initech Cloud']);

    const timeline = await client.timeline(initech.partnerId);
    const entry = timeline.entries.find((e) => e.kind === 'notification' && e.notificationKind === 'milestone_reminder') as Extract<
      Timeline['entries'][number],
      { kind: 'notification' }
    >;
    expect(entry).toMatchObject({ status: 'suppressed', reason: 'unsubscribed' });
    // Never retried: one activity for it in the history.
    expect(timeline.entries.filter((e) => e.kind === 'notification' && e.key === entry.key)).toHaveLength(1);
  });
});

describe("a manager's quiet hours hold a Slack nudge back until they end", () => {
  it('defers it, then the workflow requests it again and it is posted once', async () => {
    const quiet = { name: 'Quinn Adams', email: `${uniq('quinn')}@vendor.example`, slackUserId: uniq('U0Q').toUpperCase() };
    // Quiet hours (UTC) from an hour ago until a minute boundary 20 to 80 seconds from now (time to start the partner first).
    const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    const end = Math.ceil((Date.now() + 20_000) / 60_000) * 60_000;
    const set = await cli(['preferences', quiet.email, '--quiet-hours', `${hhmm(Date.now() - 3_600_000)}-${hhmm(end)}`, '--timezone', 'UTC', '--by', 'Quinn']);
    expect(set).toMatchObject({ code: 0, stdout: expect.stringMatching(/quiet hours\s+\d{2}:\d{2}-\d{2}:\d{2} UTC/) });

    const globex = profile({ name: 'Globex Partners', partnerManager: quiet, contacts: [{ role: 'sales', name: 'Ada', email: `${uniq('ada')}@globex.example` }] });
    await client.start(globex);
    // The vendor's portal access is due in two days: the manager's nudge is due at once, and waits.
    const KEY_ = 'vendor_milestone_due:portal_access:d2:manager';
    const deferred = await settledState(globex.partnerId, (s) => s.notifications.some((n) => n.key === KEY_));
    expect(deferred.notifications.find((n) => n.key === KEY_)).toMatchObject({ status: 'deferred', reason: 'quiet hours', until: new Date(end).toISOString() });
    const dm = () => slack.posted.filter((p) => p.channel === `D-${quiet.slackUserId}`);
    expect(dm()).toEqual([]);

    const sent = await eventually(
      () => client.state(globex.partnerId),
      (s) => s.notifications.some((n) => n.key === KEY_ && n.status === 'sent'),
      // The workflow asks again at the end of the quiet hours, but never sooner than a minute after
      // the deferral (workflows/domain/deferrals.ts): with the end 20 s away, that is the later one.
      Math.max(end - Date.now(), MIN_DEFERRAL_MS) + 30_000,
    );
    const entries = sent.notifications.filter((n) => n.key === KEY_);
    expect(entries.map((n) => n.status)).toEqual(['deferred', 'sent']);
    expect(Date.parse(entries[1]!.at)).toBeGreaterThanOrEqual(end);
    expect(dm()).toHaveLength(1);
    expect(dm()[0]!.text).toContain('Portal, training and deal registration access');
  }, 180_000);
});
