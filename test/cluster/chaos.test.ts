/**
 * The chaos run in short (CI's version of `npm run chaos`): a dozen partners on
 * the local cluster, undisturbed and then with workers SIGKILLed, the Temporal
 * server and PostgreSQL restarted, SMTP down and a Slack storm; nothing may be
 * lost, doubled, or end differently.
 */
import { comparable, passed, printReport, runChaos, type ChaosReport } from '../chaos/chaos';
import { clusterTempDir, describeWith } from './support';

describeWith({ temporal: true }, 'the chaos run, short', () => {
  let temp: ReturnType<typeof clusterTempDir>;
  let report: ChaosReport;
  const lines: string[] = [];

  beforeAll(async () => {
    temp = clusterTempDir('onboarding-chaos-');
    report = await runChaos({
      dir: temp.dir,
      partners: 12,
      kills: 3,
      smtpDownMs: 20_000,
      slackStorm: 15,
      concurrency: 12,
      slaSeconds: { response: 20, escalation: 40 },
      seed: 20261130,
      log: (line) => lines.push(line),
    });
    printReport(report, (line) => lines.push(line));
    process.stdout.write(`${lines.join('\n')}\n`);
  }, 20 * 60_000);

  afterAll(() => temp?.remove());

  test('every fault was injected', () => {
    const faults = report.faults.join('\n');
    expect(faults.match(/SIGKILL worker/g)).toHaveLength(3);
    expect(faults).toContain('Temporal server up');
    expect(faults).toContain('PostgreSQL up');
    expect(faults).toContain('SMTP up');
    expect(faults).toContain('Slack storm');
    expect(faults).not.toContain('did not come back');
  });

  test('nothing lost, nothing doubled, every final state as undisturbed', () => {
    expect(report.partners).toBe(12);
    expect(report.eventsSent).toBeGreaterThan(12 * 5);
    expect(report.emails).toBeGreaterThan(12);
    expect(report.slackPosts).toBeGreaterThan(4);
    expect({
      lostEvents: report.lostEvents,
      duplicateEmails: report.duplicateEmails,
      missingEmails: report.missingEmails,
      duplicateSlackPosts: report.duplicateSlackPosts,
      missingSlackPosts: report.missingSlackPosts,
      different: report.finalStatesDifferent,
    }).toEqual({ lostEvents: 0, duplicateEmails: 0, missingEmails: 0, duplicateSlackPosts: 0, missingSlackPosts: 0, different: [] });
    expect(passed(report)).toBe(true);
  });
});

describe('what the chaos run compares', () => {
  const base = {
    partnerId: 'p', phase: 'graduated', day: 3, startedAt: '2026-11-30T09:00:00.000Z',
    milestones: [{ id: 'portal_access', status: 'done', dueAt: '2026-12-02T09:00:00.000Z', completedAt: '2026-11-30T09:00:05.123Z' }],
    notifications: [{ key: 'b', kind: 'welcome', at: '2026-11-30T09:00:01Z' }, { key: 'a', kind: 'graduated', at: '2026-11-30T09:01:00Z' }],
    indicators: { timeToPortalAccessHours: 0.01 },
  };
  const later = {
    ...base, day: 4, startedAt: '2026-11-30T10:00:00.000Z',
    milestones: [{ ...base.milestones[0]!, dueAt: '2026-12-02T10:00:00.000Z', completedAt: '2026-11-30T10:03:00Z' }],
    notifications: [...base.notifications].reverse(),
    indicators: { timeToPortalAccessHours: 0.05 },
  };
  const view = (s: unknown) => JSON.stringify(comparable(s as never));

  test('times, day, indicators and the order of notifications do not count', () => {
    expect(view(later)).toBe(view(base));
  });

  test('a status, a phase or a missing notification does', () => {
    expect(view({ ...later, phase: 'momentum' })).not.toBe(view(base));
    expect(view({ ...later, milestones: [{ ...later.milestones[0]!, status: 'overdue' }] })).not.toBe(view(base));
    expect(view({ ...later, notifications: later.notifications.slice(1) })).not.toBe(view(base));
  });
});
