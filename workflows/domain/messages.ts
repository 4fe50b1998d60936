/**
 * What each notification says, as data: for a due rule instance (./requests.ts)
 * the typed data of its kind (../notifications.ts), built from the partner's
 * state and pinned playbook at the moment it goes out. Milestones are named by
 * title with their due moment, opportunities by account, reasons and gaps in
 * full: the templates only word them.
 */
import type { DigestEntry, MessageBody, MilestoneRef, NotificationData, NotificationKind, OpportunityRef, PartnerInfo, ProgramInfo, RiskReason } from '../notifications';
import type { LifecycleTrigger, MilestoneDef } from '../playbook';
import { primaryRole } from '../types';
import { certificationMilestone } from './milestones';
import type { Candidate } from './requests';
import {
  DAY,
  HOUR,
  dueMs,
  iso,
  isOpen,
  milestoneDef,
  phaseDeadlineDay,
  phaseDeadlineMs,
  planMilestones,
  segmentPlan,
  type DomainState,
  type Occurrence,
  type OccurrenceData,
  type Opportunity,
  type RiskFact,
  activeManager,
} from './state';

/** The first week of the plan: the welcome e-mail lists what is due in it. */
const FIRST_WEEK_DAYS = 7;
/** The week-2 check-in looks at what is open and due within the week after it. */
const LOOKAHEAD_DAYS = 7;

interface Ctx {
  s: DomainState;
  c: Candidate;
  nowMs: number;
}

type RuleKind = Exclude<NotificationKind, 'manager_digest' | 'weekly_digest'>;
type Builder<K extends RuleKind> = (ctx: Ctx) => NotificationData[K] | null;

export function milestoneRef(s: DomainState, m: MilestoneDef): MilestoneRef {
  return { id: m.id, title: m.title, dueAt: iso(dueMs(s, m)), phase: m.phase, owner: m.owner, required: m.requiredAtCheckpoint };
}

/** The refs of the ids that are milestones of the partner's plan, by due date. */
function refs(s: DomainState, ids: readonly string[]): MilestoneRef[] {
  return ids
    .map((id) => milestoneDef(s, id))
    .filter((m): m is MilestoneDef => m !== undefined)
    .sort((a, b) => dueMs(s, a) - dueMs(s, b))
    .map((m) => milestoneRef(s, m));
}

function openMilestones(s: DomainState, keep: (m: MilestoneDef) => boolean): MilestoneRef[] {
  return refs(
    s,
    planMilestones(s).filter((m) => isOpen(s, m.id) && keep(m))
      .map((m) => m.id),
  );
}

function opportunityRef(o: Pick<Opportunity, 'opportunityId' | 'account' | 'amount'>): OpportunityRef {
  return {
    opportunityId: o.opportunityId,
    ...(o.account !== undefined ? { account: o.account } : {}),
    ...(o.amount !== undefined ? { amount: o.amount } : {}),
  };
}

/** The opportunity as the state knows it now (closed ones may have been pruned). */
function opportunity(s: DomainState, opportunityId: string): OpportunityRef {
  return opportunityRef(s.opportunities.find((o) => o.opportunityId === opportunityId) ?? { opportunityId });
}

/** The registrations the plan still asks for (e.g. "2 more opportunities registered"); null when none. */
function registrationsNeeded(s: DomainState): number | null {
  const counts = planMilestones(s).filter((m) => isOpen(s, m.id))
    .map((m) => (m.completion.kind === 'registrations' ? m.completion.count - s.registrations : 0));
  const needed = Math.max(0, ...counts);
  return needed > 0 ? needed : null;
}

const dayOf = (s: DomainState, atMs: number) => Math.max(0, Math.floor((atMs - s.startMs) / DAY));
const planDays = (s: DomainState) => phaseDeadlineDay(s, 'momentum');

function milestoneSubject({ c }: Ctx): { milestone: MilestoneDef; afterHours: number } | null {
  return c.subject.on === 'milestone_due' ? c.subject : null;
}

function occurrence<T extends LifecycleTrigger>({ c }: Ctx, trigger: T): (Occurrence & { data: OccurrenceData[T] }) | null {
  const o = c.subject.on === 'occurrence' ? c.subject.occurrence : null;
  return o && o.trigger === trigger ? (o as Occurrence & { data: OccurrenceData[T] }) : null;
}

function riskReason(s: DomainState, fact: RiskFact, atMs: number): RiskReason | null {
  const overdueDays = (sinceMs: number) => Math.floor((atMs - sinceMs) / DAY);
  switch (fact.code) {
    case 'milestone_overdue': {
      const m = milestoneDef(s, fact.milestoneId);
      return m ? { code: fact.code, milestone: milestoneRef(s, m), overdueDays: overdueDays(dueMs(s, m)) } : null;
    }
    case 'extensions_exhausted':
      return { code: fact.code, phase: fact.phase, extensions: fact.extensions, gaps: openMilestones(s, (m) => m.phase === fact.phase && m.requiredAtCheckpoint) };
    case 'opportunity_escalated': {
      const o = s.opportunities.find((x) => x.opportunityId === fact.opportunityId);
      if (!o || o.registeredAtMs === null) return null;
      return { code: fact.code, opportunity: opportunityRef(o), registeredAt: iso(o.registeredAtMs), hours: s.playbook.opportunitySla.escalationHours };
    }
    case 'review_overdue':
      return { code: fact.code, dueAt: iso(fact.dueMs), overdueDays: overdueDays(fact.dueMs) };
    case 'inactive':
      return { code: fact.code, since: iso(fact.sinceMs), days: fact.days };
  }
}

const training = (ctx: Ctx) => {
  const subject = milestoneSubject(ctx);
  return subject ? { training: milestoneRef(ctx.s, subject.milestone), overdueDays: Math.round(subject.afterHours / 24) } : null;
};

const slaMark = (ctx: Ctx) => {
  const { c, s } = ctx;
  if (c.subject.on !== 'opportunity_sla' || c.subject.opportunity.registeredAtMs === null) return null;
  const { opportunity: o, hours } = c.subject;
  return { opportunity: opportunityRef(o), registeredAt: iso(o.registeredAtMs!), hours, responseHours: s.playbook.opportunitySla.responseHours };
};

const BUILDERS: { [K in RuleKind]: Builder<K> } = {
  welcome: ({ s }) => {
    const firstWeek = (owner: MilestoneDef['owner']) =>
      openMilestones(s, (m) => m.owner === owner && m.dueDay <= FIRST_WEEK_DAYS && m.completion.kind !== 'notification_delivered');
    return { planDays: planDays(s), phaseDays: segmentPlan(s).phaseDays, yourSteps: firstWeek('partner'), ourSteps: firstWeek('vendor') };
  },
  access_overdue: ({ s, c }) => {
    if (c.subject.on !== 'start') return null;
    const ids = c.subject.ifAnyOpen;
    const open = ids ? refs(s, ids.filter((id) => isOpen(s, id))) : openMilestones(s, (m) => dueMs(s, m) <= c.atMs);
    return { hours: Math.round((c.atMs - s.startMs) / HOUR), open };
  },
  week2_checkin: ({ s, c }) => ({
    accounts: [...new Set(s.opportunities.filter((o) => o.closedAtMs === null).map((o) => o.account ?? o.opportunityId))],
    open: openMilestones(s, (m) => dueMs(s, m) <= c.atMs + LOOKAHEAD_DAYS * DAY),
  }),
  milestone_reminder: (ctx) => {
    const subject = milestoneSubject(ctx);
    return subject ? { milestone: milestoneRef(ctx.s, subject.milestone), overdue: subject.afterHours > 0 } : null;
  },
  vendor_milestone_due: (ctx) => {
    const subject = milestoneSubject(ctx);
    return subject ? { milestone: milestoneRef(ctx.s, subject.milestone) } : null;
  },
  training_stalled_partner: training,
  training_stalled_manager: training,
  registration_gated: (ctx) => {
    const o = occurrence(ctx, 'registration_gated');
    return o ? { opportunity: opportunityRef(o.data), missing: refs(ctx.s, o.data.missing) } : null;
  },
  opportunity_sla_manager: slaMark,
  opportunity_sla_escalation: slaMark,
  first_deal_support: (ctx) => {
    const o = occurrence(ctx, 'first_registration');
    if (!o) return null;
    const opp = ctx.s.opportunities.find((x) => x.opportunityId === o.data.opportunityId);
    return {
      opportunity: opportunity(ctx.s, o.data.opportunityId),
      registeredAt: iso(opp?.registeredAtMs ?? o.atMs),
      responseHours: ctx.s.playbook.opportunitySla.responseHours,
    };
  },
  checkpoint_summary: (ctx) => {
    const o = occurrence(ctx, 'checkpoint_gaps');
    if (!o) return null;
    const { s } = ctx;
    const policy = s.playbook.checkpointPolicy;
    return {
      phase: o.data.phase,
      phaseDeadline: iso(o.atMs),
      gaps: refs(s, o.data.gaps.filter((id) => isOpen(s, id))),
      decideBy: iso(o.atMs + policy.decisionWindowDays * DAY),
      defaultExtensionDays: policy.defaultExtensionDays,
      autoExtensionsLeft: Math.max(0, policy.maxAutoExtensions - s.autoExtensions),
    };
  },
  checkpoint_extended: (ctx) => {
    const o = occurrence(ctx, 'auto_extension');
    if (!o) return null;
    const { s } = ctx;
    return {
      phase: o.data.phase,
      days: o.data.days,
      phaseDeadline: iso(phaseDeadlineMs(s, o.data.phase)),
      gaps: refs(s, o.data.gaps.filter((id) => isOpen(s, id))),
      autoExtensionsLeft: Math.max(0, s.playbook.checkpointPolicy.maxAutoExtensions - s.autoExtensions),
    };
  },
  phase_advanced: (ctx) => {
    const o = occurrence(ctx, 'phase_advanced');
    if (!o) return null;
    const { s } = ctx;
    const { from, to } = o.data;
    return {
      from,
      to,
      phaseDays: segmentPlan(s).phaseDays[to],
      phaseDeadline: iso(phaseDeadlineMs(s, to)),
      next: openMilestones(s, (m) => m.phase === to),
    };
  },
  at_risk: (ctx) => {
    const o = occurrence(ctx, 'at_risk');
    if (!o) return null;
    const { s, nowMs } = ctx;
    const reasons = o.data.reasons.map((r) => riskReason(s, r, o.atMs)).filter((r): r is RiskReason => r !== null);
    return { phase: s.phase, day: dayOf(s, nowMs), reasons };
  },
  first_deal_celebration: (ctx) => {
    const o = occurrence(ctx, 'first_deal_won');
    if (!o) return null;
    return { opportunity: opportunity(ctx.s, o.data.opportunityId), day: dayOf(ctx.s, o.atMs), moreOpportunitiesNeeded: registrationsNeeded(ctx.s) };
  },
  deal_lost_followup: (ctx) => {
    const o = occurrence(ctx, 'deal_lost');
    if (!o) return null;
    const { s } = ctx;
    return {
      opportunity: opportunity(s, o.data.opportunityId),
      ...(o.data.reason ? { reason: o.data.reason } : {}),
      openPipeline: s.opportunities.filter((x) => x.closedAtMs === null).map(opportunityRef),
      moreOpportunitiesNeeded: registrationsNeeded(s),
    };
  },
  certification_recognition: (ctx) => {
    const o = occurrence(ctx, 'certification_passed');
    const m = o && certificationMilestone(ctx.s, o.data.track);
    if (!o || !m) return null;
    return { certification: milestoneRef(ctx.s, m), track: o.data.track, ...(o.data.score !== undefined ? { score: o.data.score } : {}) };
  },
  business_review_scheduled: (ctx) => {
    const subject = milestoneSubject(ctx);
    return subject ? { review: milestoneRef(ctx.s, subject.milestone), planDays: planDays(ctx.s) } : null;
  },
  survey_request: ({ s, c }) => (c.subject.on === 'phase_deadline' ? { closesAt: iso(phaseDeadlineMs(s, c.subject.phase)) } : null),
  graduated: (ctx) => {
    const { s } = ctx;
    if (!occurrence(ctx, 'graduated') || s.reviews.nextDueMs === null || s.graduatedAtMs === null) return null;
    return {
      day: dayOf(s, s.graduatedAtMs),
      planDays: planDays(s),
      nextReviewAt: iso(s.reviews.nextDueMs),
      reviewCadenceDays: segmentPlan(s).reviewCadenceDays,
    };
  },
  community_invitation: (ctx) => {
    const o = occurrence(ctx, 'graduated');
    return o ? { day: dayOf(ctx.s, o.atMs) } : null;
  },
  recurring_review_reminder: ({ s, c }) =>
    c.subject.on === 'review_due'
      ? { cycle: c.subject.cycle, dueAt: iso(c.subject.dueMs), cadenceDays: segmentPlan(s).reviewCadenceDays }
      : null,
  partner_contacts_missing: ({ c }) =>
    c.subject.on === 'contacts_missing' && c.subject.waiting.rule.kind !== 'weekly_digest'
      ? { waiting: c.subject.waiting.rule.kind, since: iso(c.subject.waiting.atMs) }
      : null,
  offboarded: (ctx) => {
    const o = occurrence(ctx, 'offboarded');
    return o ? { reason: o.data.reason, day: dayOf(ctx.s, o.atMs) } : null;
  },
  quarterly_plan_request: ({ s, c }) =>
    c.subject.on === 'review_due'
      ? { cycle: c.subject.cycle, reviewAt: iso(c.subject.dueMs), cadenceDays: segmentPlan(s).reviewCadenceDays }
      : null,
  manager_handover: (ctx) => {
    const o = occurrence(ctx, 'manager_handover');
    if (!o) return null;
    const { s } = ctx;
    return {
      from: o.data.from,
      by: o.data.by,
      open: openMilestones(s, (m) => m.requiredAtCheckpoint && dueMs(s, m) <= ctx.nowMs + LOOKAHEAD_DAYS * DAY),
      awaitingDecision: s.checkpoints.at(-1)?.outcome === 'pending',
      openOpportunities: s.opportunities.filter((o2) => o2.closedAtMs === null && o2.registeredAtMs !== null).map(opportunityRef),
    };
  },
  success_handover: (ctx) => {
    const { s } = ctx;
    const success = s.profile.successManager;
    if (!occurrence(ctx, 'success_handover') || !success) return null;
    return {
      successManager: { name: success.name, email: success.email },
      onboardingManager: { name: s.profile.partnerManager.name },
      nextReviewAt: s.reviews.nextDueMs === null ? null : iso(s.reviews.nextDueMs),
    };
  },
  activity_dropped: (ctx) => {
    const o = occurrence(ctx, 'inactive');
    const days = ctx.s.playbook.ongoing?.inactivityDays;
    return o && days ? { since: iso(o.data.sinceMs), days } : null;
  },
  tier_changed: (ctx) => {
    const o = occurrence(ctx, 'tier_changed');
    if (!o) return null;
    const { s } = ctx;
    const named = (id: string | null) => {
      const tier = id === null ? undefined : s.playbook.ongoing?.tiers.find((t) => t.id === id);
      return tier ? { id: tier.id, name: tier.name } : null;
    };
    return { from: named(o.data.from), to: named(o.data.to), registered: s.registrations, wonRevenue: s.wonRevenue, certifications: s.certified.length };
  },
  account_conflict: (ctx) => {
    const n = conflictNotice(ctx);
    // One side of each conflict tells the escalation channel; both tell their managers.
    if (!n || (ctx.c.audience === 'escalation' && !n.escalate)) return null;
    const { s } = ctx;
    return {
      conflictId: n.conflictId,
      account: n.account,
      stage: n.stage,
      role: n.role,
      outcome: n.outcome,
      rule: n.rule,
      yours: n.opportunityIds.map((id) => {
        const o = s.opportunities.find((x) => x.opportunityId === id);
        return { ...opportunity(s, id), registeredAt: o?.registeredAtMs != null ? iso(o.registeredAtMs) : null };
      }),
      other: n.other,
      ...(n.decidedBy ? { decidedBy: n.decidedBy } : {}),
      ...(n.note ? { note: n.note } : {}),
    };
  },
  registration_conflict: (ctx) => {
    const n = conflictNotice(ctx);
    if (!n) return null;
    // The partner hears when its own registration is refused, held for review, or accepted after one.
    const status =
      n.outcome === 'rejected' || n.outcome === 'lost'
        ? 'rejected'
        : n.outcome === 'awaiting_decision' && n.role === 'challenger'
          ? 'under_review'
          : n.outcome === 'won' && n.role === 'challenger'
            ? 'accepted'
            : null;
    if (!status) return null;
    const opportunities = n.opportunityIds.map((id) => opportunity(ctx.s, id));
    const named = opportunities.find((o) => o.account)?.account;
    return { account: named ?? n.account.label, opportunities, status, afterReview: n.stage === 'resolved', heldByDirectTeam: n.other.kind === 'direct' };
  },
};

/** The conflict notice an `account_conflict` or `account_conflict_resolved` fact carries. */
function conflictNotice(ctx: Ctx) {
  return (occurrence(ctx, 'account_conflict') ?? occurrence(ctx, 'account_conflict_resolved'))?.data.notice ?? null;
}

export function partnerInfo(s: DomainState, nowMs: number): PartnerInfo {
  const { partnerId, name, segment, timezone } = s.profile;
  const manager = activeManager(s);
  return {
    partnerId,
    name,
    segment,
    role: primaryRole(s.profile),
    phase: s.phase,
    day: dayOf(s, nowMs),
    timezone: timezone ?? 'UTC',
    manager: { name: manager.name, email: manager.email },
  };
}

/** A partner message with its context; the program is the pinned playbook's, when it has one. */
export type DomainMessage = MessageBody & { program?: ProgramInfo };

function withContext(s: DomainState, body: Omit<MessageBody, 'partner'>, nowMs: number): DomainMessage {
  const program = s.playbook.program;
  return { ...body, partner: partnerInfo(s, nowMs), ...(program ? { program } : {}) } as DomainMessage;
}

/**
 * The message a due candidate sends, or null when its rule's kind does not fit
 * its trigger (a playbook the schema would refuse today: nothing is sent).
 * Recognised by the rule's kind, or `partner_contacts_missing` for the note to the manager.
 */
export function messageFor(s: DomainState, c: Candidate, nowMs: number): DomainMessage | null {
  const kind: RuleKind = c.subject.on === 'contacts_missing' ? 'partner_contacts_missing' : (c.rule.kind as RuleKind);
  const build = BUILDERS[kind] as Builder<RuleKind> | undefined;
  const data = build?.({ s, c, nowMs });
  return data ? withContext(s, { kind, data } as Omit<MessageBody, 'partner'>, nowMs) : null;
}

/** The daily digest of a digest manager's buffered pings. */
export function digestMessage(s: DomainState, items: DigestEntry[], nowMs: number): DomainMessage {
  return withContext(s, { kind: 'manager_digest', data: { items } }, nowMs);
}

/** A buffered ping as a digest entry. */
export function digestEntry(key: string, message: DomainMessage, atMs: number): DigestEntry | null {
  if (message.kind === 'manager_digest' || message.kind === 'weekly_digest') return null;
  return { key, kind: message.kind, at: iso(atMs), data: message.data } as DigestEntry;
}
