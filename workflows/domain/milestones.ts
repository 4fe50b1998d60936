/**
 * Milestone completion: each playbook milestone names the rule that completes
 * it (config/playbook.ts `CompletionRule`). Event rules fire on the event;
 * derived rules (registration counts, deal or pipeline, test-out) are
 * re-evaluated after every change.
 */
import type { CompletionRule, MilestoneDef } from '../playbook';
import type { NotificationKind } from '../notifications';
import { primaryRole, type PartnerEvent } from '../types';
import { dueMs, isOpen, planMilestones, reached, type DomainState } from './state';

function matchesEvent(s: DomainState, rule: CompletionRule, event: PartnerEvent): boolean {
  const data = (event.data ?? {}) as Record<string, unknown>;
  switch (rule.kind) {
    case 'event':
      return (
        rule.events.includes(event.type) &&
        Object.entries(rule.match ?? {}).every(([field, value]) => data[field] === value) &&
        (!rule.fromPhase || reached(s, rule.fromPhase))
      );
    case 'assessment_passed':
      // "Take product knowledge assessment (pass threshold: 80%)"
      return (
        event.type === 'assessment_completed' &&
        event.data.assessment === rule.assessment &&
        event.data.score >= s.playbook.passMark
      );
    case 'certification_passed':
      // "Role-specific certification (sales, technical, or delivery)": the rule's track, else the primary role's.
      return event.type === 'certification_completed' && event.data.passed && event.data.track === (rule.track ?? primaryRole(s.profile));
    case 'practical_done':
      // A practical without a track is the primary role's.
      return event.type === 'practical_completed' && (event.data?.track ?? primaryRole(s.profile)) === (rule.track ?? primaryRole(s.profile));
    default:
      return false;
  }
}

function complete(s: DomainState, m: MilestoneDef, atMs: number): void {
  if (isOpen(s, m.id)) s.completions[m.id] = { atMs };
}

/** The certification milestone of a track in the partner's plan (the primary role's has no track of its own). */
export function certificationMilestone(s: DomainState, track: string): MilestoneDef | undefined {
  const primary = primaryRole(s.profile);
  return planMilestones(s).find((m) => m.completion.kind === 'certification_passed' && (m.completion.track ?? primary) === track);
}

/** Completes the open milestones this event satisfies. */
export function completeFromEvent(s: DomainState, event: PartnerEvent, atMs: number): void {
  const matched = planMilestones(s).filter((m) => isOpen(s, m.id) && matchesEvent(s, m.completion, event));
  // "The open one of joint_business_plan and next_quarter_plan": only the earliest due of those.
  const shared = matched
    .filter((m) => m.completion.kind === 'event' && m.completion.firstOpenOnly)
    .sort((a, b) => dueMs(s, a) - dueMs(s, b));
  for (const m of matched) if (!shared.includes(m) || m === shared[0]) complete(s, m, atMs);
}

/** Qualified open pipeline: amounts of qualified opportunities not yet closed. */
export function qualifiedPipeline(s: DomainState): number {
  return s.opportunities.filter((o) => o.status === 'qualified').reduce((sum, o) => sum + (o.amount ?? 0), 0);
}

/** Re-evaluates the rules that depend on accumulated state rather than on one event. */
export function completeDerived(s: DomainState, atMs: number): void {
  for (const m of planMilestones(s)) {
    const rule = m.completion;
    if (rule.kind === 'registrations' && s.registrations >= rule.count) complete(s, m, atMs);
    // "First deal closed OR high-confidence opportunity": a win, or qualified pipeline >= $X.
    if (
      rule.kind === 'deal_or_pipeline' &&
      (s.opportunities.some((o) => o.status === 'won') || qualifiedPipeline(s) >= s.playbook.pipelineThreshold)
    ) {
      complete(s, m, atMs);
    }
  }
  if (s.profile.experienced) {
    // Test-out: passing the assessment proves the training.
    for (const { milestone, whenDone } of s.playbook.fastTrack.testOut) {
      const proof = s.completions[whenDone];
      const m = planMilestones(s).find((d) => d.id === milestone);
      if (m && proof && !proof.waived) complete(s, m, proof.atMs);
    }
  }
}

/** A delivered notification completes system-owned milestones (the welcome e-mail). */
export function completeFromDelivery(s: DomainState, kind: NotificationKind, atMs: number): void {
  for (const m of planMilestones(s)) {
    if (m.completion.kind === 'notification_delivered' && m.completion.notification === kind) complete(s, m, atMs);
  }
}

export function waive(s: DomainState, m: MilestoneDef, atMs: number, reason: string, by?: string): void {
  if (isOpen(s, m.id)) s.completions[m.id] = { atMs, waived: { reason, ...(by ? { by } : {}) } };
}
