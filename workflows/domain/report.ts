/**
 * The partner's projection for the program report (../report.ts), derived from
 * the same helpers the query's view is built from, so the report and the query always agree.
 */
import type { ReportSummary } from '../report';
import { REPORT_SCHEMA_VERSION } from '../report';
import type { Phase } from '../types';
import { DAY, activeManager, iso, phaseDeadlineDay, type DomainState } from './state';
import { refusedByConflict } from './conflicts';
import { healthAt } from './health';
import { indicators, milestoneStatuses, viewInstant } from './view';

const round1 = (n: number): number => Math.round(n * 10) / 10;

export function reportSummary(s: DomainState, nowMs: number): ReportSummary {
  // What the view (`toView`) shows, read from the same helpers without building it: the
  // summary is computed in every workflow task.
  const t = viewInstant(s, nowMs);
  const milestones = milestoneStatuses(s, t);
  const late: Partial<Record<Phase, string>> = {};
  for (const { m, status, dueAtMs, done } of milestones) {
    const completedLate = status === 'done' && done!.atMs > dueAtMs;
    if (status === 'overdue' || completedLate) late[m.phase] = late[m.phase] ? `${late[m.phase]} ${m.id}` : m.id;
  }
  const registered = s.opportunities.filter((o) => o.registeredAtMs !== null && !refusedByConflict(s, o.opportunityId));
  const won = registered.filter((o) => o.status === 'won');
  const required = milestones.filter(({ m }) => m.requiredAtCheckpoint);
  const i = indicators(s);
  return {
    v: REPORT_SCHEMA_VERSION,
    segment: s.profile.segment,
    manager: activeManager(s).email,
    ...(s.tier ? { tier: s.tier } : {}),
    contractSignedAt: iso(s.startMs),
    phase: s.phase,
    health: healthAt(s, t),
    graduatedAt: s.graduatedAtMs === null ? null : iso(s.graduatedAtMs),
    offboardedAt: s.offboardedAtMs === null ? null : iso(s.offboardedAtMs),
    planDays: phaseDeadlineDay(s, 'momentum'),
    indicators: {
      portal: i.timeToPortalAccessHours,
      training: i.timeToFirstTrainingDays,
      registration: i.timeToFirstRegistrationDays,
      engagement: i.timeToFirstEngagementDays,
      deal: i.timeToFirstDealDays,
      certFirstPass: i.certificationFirstAttemptPassed,
      certFirst: {
        attempts: Object.keys(i.certificationFirstAttempts).length,
        passed: Object.values(i.certificationFirstAttempts).filter(Boolean).length,
      },
      satisfaction: i.satisfactionScore,
    },
    late,
    opps: {
      registered: registered.length,
      qualified: registered.filter((o) => o.qualifiedAtMs !== null).length,
      won: won.length,
      lost: registered.filter((o) => o.status === 'lost').length,
      wonCycleDays: round1(won.reduce((sum, o) => sum + (o.closedAtMs! - o.registeredAtMs!) / DAY, 0)),
    },
    required: { done: required.filter(({ status }) => status === 'done' || status === 'waived').length, total: required.length },
  };
}
