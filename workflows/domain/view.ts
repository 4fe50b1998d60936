/**
 * The query result (`OnboardingState` of the contract) and the search
 * attributes, both computed from the state at an instant.
 */
import { partnerRoles, primaryRole, type Health, type LifecyclePhase, type MilestoneStatus, type OnboardingState, type PartnerProfile, type Segment } from '../types';
import { accountCheckView, conflictViews } from './conflicts';
import type { WakeUp } from './schedule';
import { healthAt, slaMissed } from './health';
import type { MilestoneDef } from '../playbook';
import { DAY, HOUR, activeManager, currentPhase, dueMs, iso, pendingCheckpoint, phaseDeadlineMs, planMilestones, type Completion, type DomainState } from './state';

/** The tier reached, with its name from the pinned playbook. */
export function tierOf(s: DomainState): { id: string; name: string } | null {
  const tier = s.tier === null ? undefined : s.playbook.ongoing?.tiers.find((t) => t.id === s.tier);
  return tier ? { id: tier.id, name: tier.name } : null;
}

const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));
const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Each plan milestone's status at `t` (the instant the view is frozen at), with its due moment. */
export function milestoneStatuses(s: DomainState, t: number): { m: MilestoneDef; status: MilestoneStatus; dueAtMs: number; done: Completion | undefined }[] {
  return planMilestones(s).map((m) => {
    const done = s.completions[m.id];
    const dueAtMs = dueMs(s, m);
    const status: MilestoneStatus = done ? (done.waived ? 'waived' : 'done') : t > dueAtMs ? 'overdue' : 'pending';
    return { m, status, dueAtMs, done };
  });
}

/** The framework's success indicators, as the view and the report both show them. */
export function indicators(s: DomainState): OnboardingState['indicators'] {
  const since = (ms: number | null, unit: number) => (ms === null ? null : round1(Math.max(0, ms - s.startMs) / unit));
  const portal = s.completions.portal_access;
  return {
    timeToPortalAccessHours: portal && !portal.waived ? since(portal.atMs, HOUR) : null,
    timeToFirstTrainingDays: since(s.firsts.training, DAY),
    timeToFirstRegistrationDays: since(s.firsts.registration, DAY),
    timeToFirstEngagementDays: since(s.firsts.engagement, DAY),
    timeToFirstDealDays: since(s.firsts.deal, DAY),
    certificationFirstAttemptPassed: s.certFirstAttempts[primaryRole(s.profile)] ?? null,
    certificationFirstAttempts: { ...s.certFirstAttempts },
    satisfactionScore: s.satisfactionScore,
  };
}

/** The instant a partner's view is frozen at: its offboarding, else now. */
export const viewInstant = (s: DomainState, nowMs: number): number => s.offboardedAtMs ?? nowMs;

export function toView(s: DomainState, nowMs: number): OnboardingState {
  // An offboarded onboarding is frozen at its end.
  const t = viewInstant(s, nowMs);
  const phase = currentPhase(s);
  return {
    partnerId: s.profile.partnerId,
    name: s.profile.name,
    segment: s.profile.segment,
    role: primaryRole(s.profile),
    roles: partnerRoles(s.profile),
    phase: s.phase,
    health: healthAt(s, t),
    awaitingDecision: pendingCheckpoint(s) !== undefined,
    day: Math.max(0, Math.floor((t - s.startMs) / DAY)),
    startedAt: iso(s.startMs),
    phaseDeadline: phase ? iso(phaseDeadlineMs(s, phase)) : null,
    extensions: s.extensions,
    playbookVersion: s.playbook.version,
    playbookHash: s.playbookHash ?? null,
    playbookMigrations: (s.migrations ?? []).map(({ atMs, ...m }) => ({ ...m, at: iso(atMs) })),
    partnerManager: { name: s.profile.partnerManager.name, email: s.profile.partnerManager.email },
    successManager: s.profile.successManager ? { name: s.profile.successManager.name, email: s.profile.successManager.email } : null,
    tier: tierOf(s),
    profileChanges: s.profileChanges.map((c) => ({ at: iso(c.atMs), by: c.by, fields: c.fields, ...(c.reason ? { reason: c.reason } : {}) })),
    milestones: milestoneStatuses(s, t).map(({ m, status, dueAtMs, done }) => ({
      id: m.id,
      title: m.title,
      phase: m.phase,
      owner: m.owner,
      required: m.requiredAtCheckpoint,
      status,
      dueAt: iso(dueAtMs),
      completedAt: done ? iso(done.atMs) : null,
      ...(done?.waived ? { waivedReason: done.waived.reason } : {}),
    })),
    opportunities: s.opportunities.map((o) => ({
      opportunityId: o.opportunityId,
      ...(o.account !== undefined ? { account: o.account } : {}),
      ...(o.amount !== undefined ? { amount: o.amount } : {}),
      status: o.status,
      identifiedAt: isoOrNull(o.identifiedAtMs),
      registeredAt: isoOrNull(o.registeredAtMs),
      acknowledgedAt: isoOrNull(o.acknowledgedAtMs),
      ...(o.owner !== undefined ? { owner: o.owner } : {}),
      qualifiedAt: isoOrNull(o.qualifiedAtMs),
      closedAt: isoOrNull(o.closedAtMs),
      slaDueAt: o.registeredAtMs === null ? null : iso(o.registeredAtMs + s.playbook.opportunitySla.responseHours * HOUR),
      slaBreached: slaMissed(o, s.playbook.opportunitySla.responseHours, t),
      ...accountCheckView(s, o.opportunityId),
    })),
    checkpoints: s.checkpoints.map((c) => ({
      phase: c.phase,
      dueAt: iso(c.dueAtMs),
      outcome: c.outcome,
      gaps: c.gaps,
      ...(c.decidedAtMs !== undefined ? { decidedAt: iso(c.decidedAtMs) } : {}),
      ...(c.decidedBy !== undefined ? { decidedBy: c.decidedBy } : {}),
      ...(c.note !== undefined ? { note: c.note } : {}),
    })),
    notifications: s.notifications,
    indicators: indicators(s),
    rejectedEvents: s.rejectedEvents,
    graduatedAt: isoOrNull(s.graduatedAtMs),
    offboardedAt: isoOrNull(s.offboardedAtMs),
    nextReviewAt: isoOrNull(s.reviews.nextDueMs),
    reviewsCompleted: s.reviews.completed,
    conflicts: conflictViews(s),
  };
}

export function searchAttributes(
  s: DomainState,
  nowMs: number,
): { phase: LifecyclePhase; segment: Segment; manager: string; health: Health } {
  return { phase: s.phase, segment: s.profile.segment, manager: activeManager(s).email, health: healthAt(s, nowMs) };
}

// ---------------------------------------------------------------------------
// What the Temporal UI shows of a partner (no billed action: the UI reads the
// static summary from the start request and the current details by query)
// ---------------------------------------------------------------------------

const minute = (ms: number) => `${iso(ms).slice(0, 16).replace('T', ' ')} UTC`;
const words = (code: string) => code.replace(/_/g, ' ');

/** One line, set once at start: who the partner is. */
export function staticSummary(profile: PartnerProfile): string {
  const roles = partnerRoles(profile);
  return `${profile.name} · ${profile.segment} partner · ${roles.join(' + ')} track${roles.length > 1 ? 's' : ''}`;
}

/** A few lines for the start request's static details: the partner's id, manager and contract. */
export function staticDetails(profile: PartnerProfile, startMs: number): string {
  return [
    `**${profile.name}** (\`${profile.partnerId}\`)`,
    `Manager: ${profile.partnerManager.name} <${profile.partnerManager.email}>`,
    `Contract signed: ${minute(startMs)}`,
  ].join('\n');
}

/** The current details (Temporal markdown): phase, health, day and the next due moment. */
export function currentDetails(s: DomainState, nowMs: number, wake: WakeUp | null): string {
  const t = s.offboardedAtMs ?? nowMs;
  const day = Math.max(0, Math.floor((t - s.startMs) / DAY));
  const phase = currentPhase(s);
  const lines = [
    `**${s.profile.name}** · ${s.profile.segment} · ${partnerRoles(s.profile).join(' + ')} track`,
    `Phase **${words(s.phase)}** · health **${words(healthAt(s, t))}**${pendingCheckpoint(s) ? ' · checkpoint awaits a decision' : ''}`,
    `Day ${day} (as of ${minute(nowMs)})${phase ? ` · ${phase} ends ${minute(phaseDeadlineMs(s, phase))}` : ''}`,
    wake ? `Next due: ${wake.why}, ${minute(wake.at)}` : 'Nothing more is due',
  ];
  return lines.join('\n');
}
