/**
 * The partner's projection for the program report (../report.ts), derived from
 * the same view the query answers, so the report and the query always agree.
 */
import type { ReportSummary } from '../report';
import { REPORT_SCHEMA_VERSION } from '../report';
import type { Phase } from '../types';
import { DAY, activeManager, iso, phaseDeadlineDay, type DomainState } from './state';
import { refusedByConflict } from './conflicts';
import { toView } from './view';

const round1 = (n: number): number => Math.round(n * 10) / 10;

export function reportSummary(s: DomainState, nowMs: number): ReportSummary {
  const view = toView(s, nowMs);
  const late: Partial<Record<Phase, string>> = {};
  for (const m of view.milestones) {
    const completedLate = m.status === 'done' && Date.parse(m.completedAt!) > Date.parse(m.dueAt);
    if (m.status === 'overdue' || completedLate) late[m.phase] = late[m.phase] ? `${late[m.phase]} ${m.id}` : m.id;
  }
  const registered = s.opportunities.filter((o) => o.registeredAtMs !== null && !refusedByConflict(s, o.opportunityId));
  const won = registered.filter((o) => o.status === 'won');
  const required = view.milestones.filter((m) => m.required);
  const i = view.indicators;
  return {
    v: REPORT_SCHEMA_VERSION,
    segment: s.profile.segment,
    manager: activeManager(s).email,
    ...(s.tier ? { tier: s.tier } : {}),
    contractSignedAt: iso(s.startMs),
    phase: view.phase,
    health: view.health,
    graduatedAt: view.graduatedAt,
    offboardedAt: view.offboardedAt,
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
    required: { done: required.filter((m) => m.status === 'done' || m.status === 'waived').length, total: required.length },
  };
}
