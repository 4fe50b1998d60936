/**
 * Health: on_track, behind (something overdue or an opportunity unanswered past
 * its SLA) or at_risk (a serious gap). Computed from the state and an instant,
 * never stored, so the query and the search attribute always agree.
 */
import type { Health } from '../types';
import {
  DAY,
  HOUR,
  currentPhase,
  dueMs,
  isOpen,
  pendingCheckpoint,
  planMilestones,
  type DomainState,
  type Opportunity,
  type RiskFact,
} from './state';

/** When the vendor first answered a registration: acknowledged, or moved on (qualified or closed). */
export function respondedAtMs(o: Opportunity): number | null {
  const answers = [o.acknowledgedAtMs, o.qualifiedAtMs, o.closedAtMs].filter((t): t is number => t !== null);
  return answers.length ? Math.min(...answers) : null;
}

/** The SLA mark passed without an answer by then: "Respond to opportunity registration within 24 hours". */
export function slaMissed(o: Opportunity, hours: number, atMs: number): boolean {
  if (o.registeredAtMs === null) return false;
  const mark = o.registeredAtMs + hours * HOUR;
  return (respondedAtMs(o) ?? Infinity) >= mark && atMs >= mark;
}

/** Missed and still unanswered: what health looks at (an answer, however late, clears it). */
function slaOpen(o: Opportunity, hours: number, atMs: number): boolean {
  return respondedAtMs(o) === null && slaMissed(o, hours, atMs);
}

/** The end of the decision window of the checkpoint awaiting a decision. */
export function decisionWindowEndMs(s: DomainState): number | null {
  const pending = pendingCheckpoint(s);
  return pending ? pending.dueAtMs + s.playbook.checkpointPolicy.decisionWindowDays * DAY : null;
}

/** Why the partner is at risk at `atMs` (empty: not at risk). */
export function riskReasons(s: DomainState, atMs: number): RiskFact[] {
  const limit = s.playbook.atRiskOverdueDays * DAY;
  if (s.phase === 'graduated') {
    const reasons: RiskFact[] = [];
    const due = s.reviews.nextDueMs;
    if (due !== null && atMs - due > limit) reasons.push({ code: 'review_overdue', dueMs: due });
    // "Strong start but then activity drops off."
    const quiet = s.playbook.ongoing?.inactivityDays;
    if (quiet !== undefined && atMs - s.lastActivityMs > quiet * DAY) reasons.push({ code: 'inactive', sinceMs: s.lastActivityMs, days: quiet });
    return reasons;
  }
  const phase = currentPhase(s);
  if (!phase) return [];
  const reasons: RiskFact[] = [];
  const windowEnd = decisionWindowEndMs(s);
  if (windowEnd !== null && atMs >= windowEnd && s.autoExtensions >= s.playbook.checkpointPolicy.maxAutoExtensions) {
    reasons.push({ code: 'extensions_exhausted', phase, extensions: s.autoExtensions });
  }
  for (const m of planMilestones(s)) {
    if (m.requiredAtCheckpoint && isOpen(s, m.id) && atMs - dueMs(s, m) > limit) {
      reasons.push({ code: 'milestone_overdue', milestoneId: m.id });
    }
  }
  const { escalationHours } = s.playbook.opportunitySla;
  for (const o of s.opportunities) {
    if (slaOpen(o, escalationHours, atMs)) reasons.push({ code: 'opportunity_escalated', opportunityId: o.opportunityId });
  }
  return reasons;
}

/** Health at `t`. Offboarded partners are no longer tracked: on_track. */
export function healthAt(s: DomainState, t: number): Health {
  if (riskReasons(s, t).length) return 'at_risk';
  if (!currentPhase(s)) return 'on_track';
  const overdue = planMilestones(s).some((m) => isOpen(s, m.id) && t > dueMs(s, m));
  const breached = s.opportunities.some((o) => slaOpen(o, s.playbook.opportunitySla.responseHours, t));
  return overdue || breached ? 'behind' : 'on_track';
}
