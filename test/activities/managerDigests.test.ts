/**
 * The one digest per manager with the manager's notification preferences,
 * against Slack's WebClient and a local Slack Web API, with the file sent-log.
 * The entries are what the domain publishes for real partners (Simulation +
 * managerDigestEntry); preferences come from a PreferenceSource over a Map (the
 * activity's seam; test/e2e/managerDigest.test.ts reads them from the
 * recipients' workflows on a real Temporal server).
 */
import path from 'node:path';
import { createActivities } from '../../activities';
import { outboxTransport } from '../../activities/email';
import { localTime } from '../../activities/managerDigests';
import { recipientId, type PreferenceSource } from '../../activities/recipients';
import { fileSentLog } from '../../activities/sentLog';
import { slackClient, webApiTransport } from '../../activities/slack';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import type { ManagerDigestEntry } from '../../workflows/digestEntry';
import { managerDigestEntry } from '../../workflows/domain';
import type { Preferences } from '../../workflows/preferences';
import { DEFAULT_PREFERENCES } from '../../workflows/preferencePolicy';
import { DAY, Sim, T0, profile } from '../unit/harness';
import { startFakeSlack, type FakeSlack } from './fixtures/slackServer';
import { memoryLogger, tempDir } from './fixtures/support';

const DANA = { name: 'Dana Ruiz', email: 'dana@vendor.example', slackUserId: 'U0DANA', digest: true, timezone: 'UTC' };

/** The moment the entries are read: T0 + 12 days, 09:00 UTC. */
const NOW = T0 + 12 * DAY;
/** An hour before: 08:00 UTC, the managers' digest hour. */
const AT = new Date(NOW - 3_600_000).toISOString();

/** Three partners of one manager, as the domain describes them 31, 12 and 12 days in (the last one offboarded). */
function entriesFor(manager: typeof DANA | Omit<typeof DANA, 'slackUserId'>): ManagerDigestEntry[] {
  const earlier = T0 - 19 * DAY;
  const atCheckpoint = new Sim(
    profile({ partnerId: 'at-checkpoint', name: 'Checkpoint Co', partnerManager: manager, contractSignedAt: new Date(earlier).toISOString() }),
    DEFAULT_PLAYBOOK,
    earlier,
  ).day(12);
  const overdueOnly = new Sim(profile({ partnerId: 'overdue-only', name: 'Overdue Co', partnerManager: manager })).day(12);
  const offboarded = new Sim(profile({ partnerId: 'offboarded', name: 'Gone Co', partnerManager: manager })).day(12);
  offboarded.event('offboarded', { reason: 'no fit' });
  return [atCheckpoint, overdueOnly, offboarded].map((sim) => managerDigestEntry(sim.state, NOW)!);
}

describe('the manager digest with preferences', () => {
  let slack: FakeSlack;
  let dirs: Awaited<ReturnType<typeof tempDir>>;
  const stored = new Map<string, Preferences>();
  let readFails = false;
  const source: PreferenceSource = {
    async read(address) {
      if (readFails) throw new Error('Temporal unavailable');
      return stored.get(recipientId(address)) ?? DEFAULT_PREFERENCES;
    },
    unsubscribeUrl: () => undefined,
  };
  const set = (address: string, p: Partial<Preferences>) => stored.set(recipientId(address), { ...DEFAULT_PREFERENCES, ...p });
  let run = 0;

  beforeAll(async () => {
    [slack, dirs] = await Promise.all([startFakeSlack(), tempDir()]);
  });
  afterAll(async () => {
    await Promise.all([slack.close(), dirs.remove()]);
  });
  beforeEach(() => {
    slack.posted.length = 0;
    stored.clear();
    readFails = false;
  });

  /** A fresh sent-log per test: each test is its own day. */
  function activities(entries: ManagerDigestEntry[]) {
    run += 1;
    return createActivities({
      program: DEFAULT_PLAYBOOK.program,
      mailer: outboxTransport(path.join(dirs.dir, 'outbox')), // the digest is Slack only
      slack: webApiTransport(slackClient(slack.token, slack.apiUrl)),
      config: { from: 'onboarding@vendor.example', escalationChannel: 'C0ESCALATE', buttons: true },
      sentLog: fileSentLog(path.join(dirs.dir, `sent-log-${run}`)),
      log: memoryLogger(),
      preferences: source,
      digestEntries: async () => entries,
    });
  }
  const texts = () => JSON.stringify(slack.posted.map((m) => m.blocks));

  test('the entries are those of real partners: a decision owed, overdue milestones, essential and other news', () => {
    expect(localTime(Date.parse(AT), 'UTC').hour).toBe(8);
    const [checkpoint, overdue, gone] = entriesFor(DANA);
    expect(checkpoint!.awaiting).toMatchObject({ phase: 'foundation' });
    expect(overdue!.awaiting).toBeUndefined();
    expect(overdue!.slas).toEqual([]);
    expect(overdue!.overdueTotal).toBeGreaterThan(0);
    expect(overdue!.news.every((n) => n.essential !== true)).toBe(true);
    expect(gone!.news).toContainEqual(expect.objectContaining({ kind: 'offboarded', essential: true }));
  });

  test('with no preferences set, the whole digest goes', async () => {
    const outcomes = await activities(entriesFor(DANA)).sendManagerDigests({ at: AT, localHour: 8 });
    expect(outcomes).toEqual([{ manager: DANA.email, localDate: AT.slice(0, 10), partners: 3, status: 'sent' }]);
    expect(slack.posted).toHaveLength(1);
    expect(texts()).toContain('Overdue Co');
    expect(texts()).toContain('Overdue:');
    expect(texts()).not.toContain('Only what cannot be turned off');
  });

  test('the digest turned off: only what cannot be turned off goes, and it says why', async () => {
    set(DANA.slackUserId, { mutedKinds: ['manager_digest'] });
    const outcomes = await activities(entriesFor(DANA)).sendManagerDigests({ at: AT, localHour: 8 });
    expect(outcomes).toEqual([
      { manager: DANA.email, localDate: AT.slice(0, 10), partners: 2, status: 'sent', reason: 'manager_digest turned off' },
    ]);
    expect(slack.posted).toHaveLength(1);
    const text = texts();
    expect(text).toContain('Only what cannot be turned off (your notification preferences: manager_digest turned off).');
    expect(text).toContain('Checkpoint Co');
    expect(text).toContain('The foundation checkpoint awaits your decision');
    expect(text).toContain('Gone Co was offboarded');
    // Not essential: the overdue list, the other news, and the partner with nothing else.
    expect(text).not.toContain('Overdue:');
    expect(text).not.toContain('week-2 check-in');
    expect(text).not.toContain('Overdue Co');
    // The buttons stay with the decision.
    expect(text).toContain('checkpoint_extend');
  });

  test('unsubscribed, with nothing essential: suppressed, nothing posted; turned on again the same day, it goes', async () => {
    set(DANA.email, { unsubscribed: true });
    const overdueOnly = entriesFor(DANA).filter((e) => e.partnerId === 'overdue-only');
    const acts = activities(overdueOnly);
    expect(await acts.sendManagerDigests({ at: AT, localHour: 8 })).toEqual([
      { manager: DANA.email, localDate: AT.slice(0, 10), partners: 1, status: 'suppressed', reason: 'unsubscribed' },
    ]);
    expect(slack.posted).toEqual([]);
    stored.clear();
    expect(await acts.sendManagerDigests({ at: AT, localHour: 8 })).toEqual([expect.objectContaining({ status: 'sent', partners: 1 })]);
    expect(slack.posted).toHaveLength(1);
  });

  test('Slack turned off holds back the same; quiet hours hold back nothing (the digest goes at its hour)', async () => {
    set(DANA.email, { mutedChannels: ['slack'] });
    const outcomes = await activities(entriesFor(DANA)).sendManagerDigests({ at: AT, localHour: 8 });
    expect(outcomes).toEqual([expect.objectContaining({ status: 'sent', partners: 2, reason: 'Slack turned off' })]);

    slack.posted.length = 0;
    stored.clear();
    const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    set(DANA.slackUserId, { quietHours: { start: hhmm(Date.now() - 3_600_000), end: hhmm(Date.now() + 3_600_000), timezone: 'UTC' } });
    const quiet = await activities(entriesFor(DANA)).sendManagerDigests({ at: AT, localHour: 8 });
    expect(quiet).toEqual([{ manager: DANA.email, localDate: AT.slice(0, 10), partners: 3, status: 'sent' }]);
  });

  test("a manager without a Slack id: the digest goes to the escalation channel, the team's, whatever their preferences", async () => {
    const { slackUserId: _none, ...noSlack } = DANA;
    set(DANA.email, { unsubscribed: true });
    const outcomes = await activities(entriesFor(noSlack)).sendManagerDigests({ at: AT, localHour: 8 });
    expect(outcomes).toEqual([expect.objectContaining({ status: 'sent', partners: 3 })]);
    expect(slack.posted.map((m) => m.channel)).toEqual(['C0ESCALATE']);
    expect(texts()).toContain('Overdue Co');
  });

  test('preferences that cannot be read fail the attempt (Temporal retries): nothing is posted until they can', async () => {
    set(DANA.email, { unsubscribed: true });
    readFails = true;
    const acts = activities(entriesFor(DANA));
    await expect(acts.sendManagerDigests({ at: AT, localHour: 8 })).rejects.toThrow('Temporal unavailable');
    expect(slack.posted).toEqual([]);
    readFails = false;
    await expect(acts.sendManagerDigests({ at: AT, localHour: 8 })).resolves.toEqual([
      expect.objectContaining({ status: 'sent', partners: 2, reason: 'unsubscribed' }),
    ]);
    expect(slack.posted).toHaveLength(1);
  });
});
