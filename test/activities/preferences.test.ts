/**
 * The notification activity with recipients' preferences, against a real SMTP
 * server on loopback and Slack's WebClient against a local Web API: who gets a
 * copy, who is skipped and who waits, the unsubscribe link in every e-mail
 * (footer and RFC 8058 headers), and that a notification requested again after
 * quiet hours reaches only those who have not had it.
 *
 * Preferences come from a PreferenceSource over a Map here (the activity's
 * seam); test/e2e/preferences.test.ts reads them from the recipients'
 * workflows on a real Temporal server.
 */
import path from 'node:path';
import { createActivities } from '../../activities';
import { smtpTransport } from '../../activities/email';
import { recipientId, type PreferenceSource } from '../../activities/recipients';
import { fileSentLog } from '../../activities/sentLog';
import { slackClient, webApiTransport } from '../../activities/slack';
import { preferenceLinks } from '../../client/preferences';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import type { NotificationRequest } from '../../workflows/notifications';
import type { Preferences } from '../../workflows/preferences';
import { DEFAULT_PREFERENCES } from '../../workflows/preferencePolicy';
import { domainRequest } from '../helpers/domainMessages';
import { startFakeSlack, type FakeSlack } from './fixtures/slackServer';
import { startSmtpServer, type TestSmtpServer } from './fixtures/smtpServer';
import { deliveryInput, memoryLogger, tempDir } from './fixtures/support';

const LEE = 'lee@acme.example';
const KIM = 'kim@acme.example';
const contacts = [
  { name: 'Lee Park', email: LEE },
  { name: 'Kim Okafor', email: KIM },
];
const links = preferenceLinks({ secrets: ['s'.repeat(32)], publicUrl: 'https://onboarding.example.com' });

/** What the domain sends, to two contacts: a reminder (can wait, can be turned off) and a refused registration (essential). */
const reminder = { ...domainRequest('milestone_reminder', 'email'), to: contacts };
const gated = { ...domainRequest('registration_gated', 'email'), to: contacts };
/** Slack DMs to the manager: the first-deal nudge (can wait) and the SLA (always essential). */
const manager = { userId: 'U0DANA', label: 'dana@vendor.example' };
const firstDeal = { ...domainRequest('first_deal_support', 'slack'), to: manager };
const sla = { ...domainRequest('opportunity_sla_manager', 'slack'), to: manager };

/** Quiet hours around now, in UTC: one hour either side. */
function quietNow(): Preferences['quietHours'] {
  const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  return { start: hhmm(Date.now() - 3_600_000), end: hhmm(Date.now() + 3_600_000), timezone: 'UTC' };
}

describe('delivery by preferences', () => {
  let smtp: TestSmtpServer;
  let slack: FakeSlack;
  let dirs: Awaited<ReturnType<typeof tempDir>>;
  const stored = new Map<string, Preferences>();
  let readFails = false;
  const reads: string[] = [];
  /** The activity's seam: each address's preferences by recipient id, and its signed link. */
  const source: PreferenceSource = {
    async read(address) {
      reads.push(address);
      if (readFails) throw new Error('Temporal unavailable');
      return stored.get(recipientId(address)) ?? DEFAULT_PREFERENCES;
    },
    unsubscribeUrl: (address) => links.url(address),
  };
  const set = (address: string, p: Partial<Preferences>) => stored.set(recipientId(address), { ...DEFAULT_PREFERENCES, ...p });

  beforeAll(async () => {
    [smtp, slack, dirs] = await Promise.all([startSmtpServer(), startFakeSlack(), tempDir()]);
  });
  afterAll(async () => {
    await Promise.all([smtp.close(), slack.close(), dirs.remove()]);
  });
  beforeEach(() => {
    smtp.messages.length = 0;
    slack.posted.length = 0;
    stored.clear();
    reads.length = 0;
    readFails = false;
  });

  function activities(preferences: PreferenceSource | null = source) {
    const log = memoryLogger();
    const { deliverNotification } = createActivities({
      program: DEFAULT_PLAYBOOK.program,
      mailer: smtpTransport(smtp.url),
      slack: webApiTransport(slackClient(slack.token, slack.apiUrl)),
      config: { from: 'onboarding@vendor.example', escalationChannel: 'C0ESCALATE' },
      sentLog: fileSentLog(path.join(dirs.dir, 'sent-log')),
      log,
      ...(preferences ? { preferences } : {}),
    });
    return { deliverNotification, log };
  }
  const to = () => smtp.messages.map((m) => m.envelope.to.join(','));

  test('an unsubscribed contact gets no reminder, and still gets an essential message', async () => {
    set(LEE, { unsubscribed: true });
    const { deliverNotification } = activities();

    const reminded = await deliverNotification(deliveryInput(reminder));
    expect(reminded).toMatchObject({ status: 'sent', reason: '1 of 2 recipients: unsubscribed' });
    expect(reminded).not.toHaveProperty('retryAt');
    expect(to()).toEqual([KIM]);

    smtp.messages.length = 0;
    await expect(deliverNotification(deliveryInput(gated))).resolves.toMatchObject({ status: 'sent' });
    expect(to()).toEqual([LEE, KIM]);
    // The essential e-mail says why it reaches someone who unsubscribed.
    expect(smtp.messages[0]!.text).toContain('This message is essential: it reaches you even if you unsubscribe from reminders.');
  });

  test('when nobody may get it: suppressed, nothing sent, nothing recorded as sent', async () => {
    set(LEE, { mutedKinds: ['milestone_reminder'] });
    set(KIM, { mutedChannels: ['email'] });
    const { deliverNotification } = activities();
    const input = deliveryInput(reminder);

    const result = await deliverNotification(input);

    expect(result).toEqual({
      key: reminder.key,
      status: 'suppressed',
      reason: '1 of 2 recipients: milestone_reminder turned off; 1 of 2 recipients: e-mail turned off',
    });
    expect(smtp.messages).toHaveLength(0);
    // Turned on again (and requested again): it goes out, since nothing was marked as sent.
    stored.clear();
    await expect(deliverNotification(input)).resolves.toMatchObject({ status: 'sent' });
    expect(to()).toEqual([LEE, KIM]);
  });

  test('every copy carries its own recipient\'s link, in the footer and in the RFC 8058 headers', async () => {
    const { deliverNotification } = activities();
    await deliverNotification(deliveryInput(reminder));

    expect(smtp.messages).toHaveLength(2);
    for (const [i, mail] of smtp.messages.entries()) {
      const header = mail.headers['list-unsubscribe']!;
      const url = /^<(https:\/\/onboarding\.example\.com\/unsubscribe\?token=[A-Za-z0-9_.-]+)>$/.exec(header)?.[1];
      expect(url).toBeDefined();
      expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
      expect(links.verify(new URL(url!).searchParams.get('token')!)).toMatchObject({ ok: true, recipientId: recipientId(contacts[i]!.email) });
      expect(mail.text).toContain(`Too many e-mails? Unsubscribe or set quiet hours: ${url}`);
      expect(mail.html).toContain(`<a href="${url}" style="color:#6b7280">Unsubscribe or set quiet hours</a>`);
    }
    expect(smtp.messages[0]!.headers['list-unsubscribe']).not.toBe(smtp.messages[1]!.headers['list-unsubscribe']);
  });

  test('without preferences (no PREFERENCES_SECRET): no link, no List-Unsubscribe header', async () => {
    await activities(null).deliverNotification(deliveryInput(reminder));
    expect(smtp.messages).toHaveLength(2);
    for (const mail of smtp.messages) {
      expect(mail.headers['list-unsubscribe']).toBeUndefined();
      expect(mail.text).not.toContain('unsubscribe');
    }
  });

  test('quiet hours: a contact waits, the other gets it now; requested again, each gets exactly one copy', async () => {
    set(KIM, { quietHours: quietNow() });
    const { deliverNotification } = activities();
    const input = deliveryInput(reminder);

    const first = await deliverNotification(input);
    expect(first).toMatchObject({ status: 'sent', reason: '1 of 2 recipients: quiet hours', retryAt: expect.any(String) });
    expect(Date.parse(first.retryAt!) - Date.now()).toBeGreaterThan(55 * 60_000);
    expect(to()).toEqual([LEE]);

    // The workflow requests the same key again; still in quiet hours: Lee is not sent a second copy.
    const again = await deliverNotification(input);
    expect(again).toMatchObject({ status: 'sent', duplicate: true, retryAt: first.retryAt });
    expect(to()).toEqual([LEE]);

    // The quiet hours are over: Kim gets hers, Lee still only the one.
    stored.clear();
    const last = await deliverNotification(input);
    expect(last).toMatchObject({ status: 'sent' });
    expect(last).not.toHaveProperty('retryAt');
    expect(to()).toEqual([LEE, KIM]);
    // Settled: from now on the notification's own key answers, without reading anyone's preferences.
    reads.length = 0;
    await expect(deliverNotification(input)).resolves.toMatchObject({ status: 'sent', duplicate: true });
    expect(reads).toEqual([]);
    expect(to()).toEqual([LEE, KIM]);
  });

  test('quiet hours do not hold back an essential message, nor one nobody would request again', async () => {
    set(LEE, { quietHours: quietNow() });
    set(KIM, { quietHours: quietNow() });
    const { deliverNotification } = activities();

    await expect(deliverNotification(deliveryInput(gated))).resolves.toMatchObject({ status: 'sent' });
    const { deferrable: _, ...once } = reminder;
    await expect(deliverNotification(deliveryInput(once as NotificationRequest))).resolves.toMatchObject({ status: 'sent' });
    expect(to()).toEqual([LEE, KIM, LEE, KIM]);
    // Everyone in quiet hours and the reminder can wait: deferred, nothing sent.
    smtp.messages.length = 0;
    await expect(deliverNotification(deliveryInput(reminder))).resolves.toMatchObject({ status: 'deferred', reason: '2 of 2 recipients: quiet hours' });
    expect(smtp.messages).toHaveLength(0);
  });

  test('Slack: a manager who turned Slack off (by e-mail) gets no nudge; quiet hours (by Slack id) defer it; the SLA reaches them', async () => {
    const { deliverNotification } = activities();
    set('Dana@Vendor.example', { mutedChannels: ['slack'] });

    await expect(deliverNotification(deliveryInput(firstDeal))).resolves.toEqual({
      key: firstDeal.key,
      status: 'suppressed',
      reason: 'Slack turned off',
    });
    stored.clear();
    set('U0DANA', { quietHours: quietNow() });
    await expect(deliverNotification(deliveryInput(firstDeal))).resolves.toMatchObject({ status: 'deferred', retryAt: expect.any(String) });
    expect(slack.posted).toHaveLength(0);

    set('dana@vendor.example', { unsubscribed: true });
    await expect(deliverNotification(deliveryInput(sla))).resolves.toMatchObject({ status: 'sent' });
    expect(slack.posted.map((p) => p.channel)).toEqual(['D-U0DANA']);
  });

  test('the escalation channel is nobody\'s inbox: no preferences apply to it', async () => {
    set('dana@vendor.example', { unsubscribed: true });
    const atRisk = domainRequest('at_risk', 'slack');
    await expect(activities().deliverNotification(deliveryInput(atRisk))).resolves.toMatchObject({ status: 'sent' });
    expect(reads).toEqual([]);
    expect(slack.posted.map((p) => p.channel)).toEqual(['C0ESCALATE']);
  });

  test('preferences that cannot be read: the attempt fails for Temporal to retry, and nothing goes out', async () => {
    readFails = true;
    await expect(activities().deliverNotification(deliveryInput(reminder))).rejects.toThrow('Temporal unavailable');
    expect(smtp.messages).toHaveLength(0);
  });

  test('logs name outcomes and reasons, never addresses', async () => {
    set(LEE, { unsubscribed: true });
    set(KIM, { quietHours: quietNow() });
    const { deliverNotification, log } = activities();
    await deliverNotification(deliveryInput(reminder));
    const logged = JSON.stringify(log.lines);
    expect(logged).toContain('"reason":"1 of 2 recipients: unsubscribed; 1 of 2 recipients: quiet hours"');
    expect(logged).not.toMatch(/lee@|kim@|acme\.example/);
  });
});
