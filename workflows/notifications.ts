/**
 * What the workflow asks the notification activity to deliver, typed per kind.
 * The pure domain decides *what* is due and builds each kind's data from the
 * partner's state and pinned playbook (./domain/messages.ts); the activity only
 * renders that data (activities/templates.ts) and delivers it. A renamed or
 * missing field fails the type check on both sides of this seam.
 *
 * Pure module, types only at run time (plus the list of kinds): shared by
 * workflow code, activities and tests.
 */
import type { LifecyclePhase, Phase, Role, Segment } from './types';
import type { NotificationRule, ProgramInfo } from './playbook';
import type { AccountKey, ConflictNotice, ConflictOutcome, ConflictRule, PartyRef } from './accounts/types';

export type { ProgramInfo };

/** A milestone as a message names it: its title and due moment (ISO-8601), never just its id. */
export interface MilestoneRef {
  id: string;
  title: string;
  dueAt: string;
  phase: Phase;
  owner: 'partner' | 'vendor';
  /** Required at its phase's checkpoint. */
  required: boolean;
}

export interface OpportunityRef {
  opportunityId: string;
  account?: string;
  amount?: number;
}

/** Why a partner is at risk, one reason each. */
export type RiskReason =
  | { code: 'milestone_overdue'; milestone: MilestoneRef; overdueDays: number }
  | { code: 'extensions_exhausted'; phase: Phase; extensions: number; gaps: MilestoneRef[] }
  | { code: 'opportunity_escalated'; opportunity: OpportunityRef; registeredAt: string; hours: number }
  | { code: 'review_overdue'; dueAt: string; overdueDays: number }
  | { code: 'inactive'; since: string; days: number };

/** One line of the program's weekly digest: an indicator against the seed's target. */
export interface DigestIndicator {
  group: 'leading' | 'lagging' | 'quality';
  /** The report's key, e.g. `timeToPortalAccessHours`. */
  id: string;
  value: number | null;
  unit: 'hours' | 'days' | 'ratio' | 'score';
  target: { op: '<' | '>'; value: number } | null;
  met: boolean | null;
}

/** The program's weekly digest (built from the onboarding report, client/reports). */
export interface ProgramDigest {
  /** The moment the report was built for (ISO-8601). */
  asOf: string;
  /** Partners the report covers. */
  partners: number;
  indicators: DigestIndicator[];
  /** At most DIGEST_AT_RISK_CAP of the partners at risk. */
  atRisk: { partnerId: string; name: string | null; manager: string; phase: LifecyclePhase }[];
  /** All partners at risk. */
  atRiskTotal: number;
  topBottleneck: { milestoneId: string; title: string; phase: Phase; partners: number } | null;
}

/** The data of each notification kind. */
export interface NotificationData {
  /** E-mail to the partner at start: the plan's length, the first week, and who to contact. */
  welcome: { planDays: number; phaseDays: Record<Phase, number>; yourSteps: MilestoneRef[]; ourSteps: MilestoneRef[] };
  /** Slack to the manager: week-1 setup still open after `hours`. */
  access_overdue: { hours: number; open: MilestoneRef[] };
  /** Slack to the manager: the end-of-week-2 check-in call. */
  week2_checkin: { accounts: string[]; open: MilestoneRef[] };
  /**
   * E-mail to the partner: a milestone they own is due soon, or overdue. `also`: the other milestones
   * reminded at the same moment, in the same e-mail (runs started before bundling send one each).
   */
  milestone_reminder: { milestone: MilestoneRef; overdue: boolean; also?: MilestoneRef[] };
  /** E-mail to the partner: a training is past its due date. */
  training_stalled_partner: { training: MilestoneRef; overdueDays: number };
  /** Slack to the manager: the training is still open after the partner's nudge. */
  training_stalled_manager: { training: MilestoneRef; overdueDays: number };
  /** E-mail to the partner: a registration waits for the gating milestones. */
  registration_gated: { opportunity: OpportunityRef; missing: MilestoneRef[] };
  /** Slack to the manager: a registration unanswered at the response mark. */
  opportunity_sla_manager: { opportunity: OpportunityRef; registeredAt: string; hours: number; responseHours: number };
  /** Slack to the escalation channel: still unanswered at the escalation mark. */
  opportunity_sla_escalation: { opportunity: OpportunityRef; registeredAt: string; hours: number; responseHours: number };
  /** Slack to the manager: the first registration: prioritise it. */
  first_deal_support: { opportunity: OpportunityRef; registeredAt: string; responseHours: number };
  /** Slack to the manager: a phase ended with gaps; decide. */
  checkpoint_summary: {
    phase: Phase;
    phaseDeadline: string;
    gaps: MilestoneRef[];
    decideBy: string;
    defaultExtensionDays: number;
    autoExtensionsLeft: number;
  };
  /** Slack to the manager: no decision came, the default extension applied. */
  checkpoint_extended: { phase: Phase; days: number; phaseDeadline: string; gaps: MilestoneRef[]; autoExtensionsLeft: number };
  /** E-mail to the partner: the next phase and its first steps. */
  phase_advanced: { from: Phase; to: Phase; phaseDays: number; phaseDeadline: string; next: MilestoneRef[] };
  /** Slack to the escalation channel: the partner is at risk, and why. */
  at_risk: { phase: LifecyclePhase; day: number; reasons: RiskReason[] };
  /** Slack to the manager: a vendor-owned milestone is due soon. */
  vendor_milestone_due: { milestone: MilestoneRef };
  /** E-mail to the partner and Slack to the manager: the first deal is won. */
  first_deal_celebration: { opportunity: OpportunityRef; day: number; moreOpportunitiesNeeded: number | null };
  /** Slack to the manager: a deal was lost before the first win: help qualify backups. */
  deal_lost_followup: { opportunity: OpportunityRef; reason?: string; openPipeline: OpportunityRef[]; moreOpportunitiesNeeded: number | null };
  /** E-mail to the partner and Slack to the manager: a role certification passed. */
  certification_recognition: { certification: MilestoneRef; track: string; score?: number };
  /** E-mail to the partner and Slack to the manager: the closing business review is coming. */
  business_review_scheduled: { review: MilestoneRef; planDays: number };
  /** E-mail to the partner: the onboarding survey. */
  survey_request: { closesAt: string };
  /** E-mail to the partner and Slack to the manager: onboarding complete. */
  graduated: { day: number; planDays: number; nextReviewAt: string; reviewCadenceDays: number };
  /** E-mail to the partner at graduation: the community channels. */
  community_invitation: { day: number };
  /** Slack to the manager: the recurring business review is due. */
  recurring_review_reminder: { cycle: number; dueAt: string; cadenceDays: number };
  /** E-mail to the partner and Slack to the manager: bring the joint plan for the next quarter to the review. */
  quarterly_plan_request: { cycle: number; reviewAt: string; cadenceDays: number };
  /** Slack to the new manager: they took the partner over; where it stands. */
  manager_handover: {
    from: { name: string; email: string };
    by: string;
    open: MilestoneRef[];
    awaitingDecision: boolean;
    openOpportunities: OpportunityRef[];
  };
  /** E-mail to the partner and Slack to the success manager: ongoing success management starts. */
  success_handover: { successManager: { name: string; email: string }; onboardingManager: { name: string }; nextReviewAt: string | null };
  /** Slack to the manager: a graduated partner has gone quiet. */
  activity_dropped: { since: string; days: number };
  /** E-mail to the partner and Slack to the manager: a new tier. */
  tier_changed: { from: { id: string; name: string } | null; to: { id: string; name: string } | null; registered: number; wonRevenue: number; certifications: number };
  /** Slack to the manager: partner e-mails wait because the partner has no contacts yet. */
  partner_contacts_missing: { waiting: PartnerMessageKind; since: string };
  /** Slack to the manager: their buffered pings, once a day. */
  manager_digest: { items: DigestEntry[] };
  /** Slack to the manager: onboarding ended. */
  offboarded: { reason: string; day: number };
  /** Slack to the escalation channel and e-mail to the program lead: the program's week. */
  weekly_digest: ProgramDigest;
  /**
   * Slack to the manager (and, from one side of each conflict, the escalation channel):
   * a registration of this partner's conflicts with another partner's or the direct
   * team's; `stage` flagged when it opens, resolved when it is decided. Names both sides: for the team only.
   */
  account_conflict: {
    conflictId: string;
    account: AccountKey;
    stage: ConflictNotice['stage'];
    role: ConflictNotice['role'];
    outcome: ConflictOutcome;
    rule: ConflictRule;
    /** This partner's registrations the conflict is about. */
    yours: (OpportunityRef & { registeredAt: string | null })[];
    other: PartyRef;
    decidedBy?: string;
    note?: string;
  };
  /**
   * E-mail to the partner: their registration is refused, under review or accepted
   * because of an earlier registration of the account. Never who holds it: another
   * partner's deal is not this partner's business.
   */
  registration_conflict: {
    /** The account as the partner named it. */
    account: string;
    opportunities: OpportunityRef[];
    status: 'rejected' | 'under_review' | 'accepted';
    /** Decided after a review (a manager's decision, a withdrawal), not at once by the first-registration rule. */
    afterReview: boolean;
    /** The account is our direct team's (else: registered by someone in the program). */
    heldByDirectTeam: boolean;
  };
}

export type NotificationKind = keyof NotificationData;

/** Every kind, for the playbook schema and metrics (checked against NotificationData below). */
export const NOTIFICATION_KINDS = [
  'welcome',
  'access_overdue',
  'week2_checkin',
  'milestone_reminder',
  'training_stalled_partner',
  'training_stalled_manager',
  'registration_gated',
  'opportunity_sla_manager',
  'opportunity_sla_escalation',
  'first_deal_support',
  'checkpoint_summary',
  'checkpoint_extended',
  'phase_advanced',
  'at_risk',
  'vendor_milestone_due',
  'first_deal_celebration',
  'deal_lost_followup',
  'certification_recognition',
  'business_review_scheduled',
  'survey_request',
  'graduated',
  'community_invitation',
  'recurring_review_reminder',
  'quarterly_plan_request',
  'manager_handover',
  'success_handover',
  'activity_dropped',
  'tier_changed',
  'partner_contacts_missing',
  'manager_digest',
  'offboarded',
  'weekly_digest',
  'account_conflict',
  'registration_conflict',
] as const satisfies readonly NotificationKind[];
type Missing = Exclude<NotificationKind, (typeof NOTIFICATION_KINDS)[number]>;
/** Fails to compile when a kind has data but is missing from the list. */
export const ALL_KINDS_LISTED: [Missing] extends [never] ? true : Missing = true;

/**
 * Kinds no preference can turn off: the opportunity SLA messages (the 24-hour
 * response promise and its escalation) and the note that partner e-mails wait
 * for contacts. A playbook rule of these kinds is essential whatever it says.
 */
export const ALWAYS_ESSENTIAL_KINDS = [
  'opportunity_sla_manager',
  'opportunity_sla_escalation',
  'partner_contacts_missing',
] as const satisfies readonly NotificationKind[];

/**
 * Kinds a rule makes essential unless it says `essential: false`: what a
 * recipient needs to act on or to know where they stand (the welcome with the
 * plan, a refused registration, a checkpoint decision and its default, an
 * escalation, a new owner or contact, the end of onboarding). Partners pinned to
 * a playbook from before the flag existed keep these essential.
 */
export const ESSENTIAL_BY_DEFAULT_KINDS = [
  'welcome',
  'registration_gated',
  'checkpoint_summary',
  'checkpoint_extended',
  'at_risk',
  'manager_handover',
  'success_handover',
  'offboarded',
  // A conflict over a registration: the partner's answer to its own registration, a manager's decision to take.
  'account_conflict',
  'registration_conflict',
] as const satisfies readonly NotificationKind[];

/**
 * The conflict messages (issue 13, part 6) every segment gets unless its own
 * `notifications` list a rule of that kind: both managers and the escalation
 * channel hear when a registration conflicts with another partner's or the
 * direct team's, and when it is decided; the partner hears what it means for
 * its own registration, never who else is on the account. Built in rather than
 * written into the default playbook so that published versions keep their
 * content (default-2027.01 and older) and their partners get them too. A
 * segment that lists a rule of one of these kinds replaces the built-in rules
 * of that kind (other audiences, `essential: false`: docs/playbook.md).
 */
export const BUILT_IN_RULES = [
  { id: 'account_conflict', kind: 'account_conflict', audience: ['manager', 'escalation'], trigger: { on: 'account_conflict' } },
  { id: 'account_conflict_resolved', kind: 'account_conflict', audience: ['manager', 'escalation'], trigger: { on: 'account_conflict_resolved' } },
  { id: 'registration_conflict', kind: 'registration_conflict', audience: ['partner'], trigger: { on: 'account_conflict' } },
  { id: 'registration_conflict_resolved', kind: 'registration_conflict', audience: ['partner'], trigger: { on: 'account_conflict_resolved' } },
] as const satisfies readonly NotificationRule[];

/** A segment's rules and the built-in ones of the kinds (and ids) it does not list itself. */
export function withBuiltInRules(rules: readonly NotificationRule[]): NotificationRule[] {
  const kinds = new Set(rules.map((r) => r.kind));
  const ids = new Set(rules.map((r) => r.id));
  const extra = BUILT_IN_RULES.filter((r) => !kinds.has(r.kind) && !ids.has(r.id));
  return extra.length ? [...rules, ...(extra as unknown as NotificationRule[])] : [...rules];
}

/** Whether a rule of `kind` with the playbook's `essential` flag (if any) is essential. */
export function isEssentialRule(kind: NotificationKind, essential: boolean | undefined): boolean {
  if ((ALWAYS_ESSENTIAL_KINDS as readonly string[]).includes(kind)) return true;
  return essential ?? (ESSENTIAL_BY_DEFAULT_KINDS as readonly string[]).includes(kind);
}

/** Kinds about one partner (everything but the program's weekly digest). */
export type PartnerMessageKind = Exclude<NotificationKind, 'weekly_digest'>;

/** A ping buffered for a digest manager: any partner message but a digest. */
export type DigestEntry = {
  [K in Exclude<PartnerMessageKind, 'manager_digest'>]: { key: string; kind: K; at: string; data: NotificationData[K] };
}[Exclude<PartnerMessageKind, 'manager_digest'>];

/** Who a partner message is about, and who the partner's contact is. */
export interface PartnerInfo {
  partnerId: string;
  name: string;
  segment: Segment;
  role: Role;
  phase: LifecyclePhase;
  /** Whole days since the contract, when the message was due. */
  day: number;
  /** The partner's IANA time zone: dates in partner e-mails are shown in it. */
  timezone: string;
  manager: { name: string; email: string };
}

/** A message's content: its kind, that kind's data and, unless it is the program's digest, its partner. */
export type MessageBody = {
  [K in NotificationKind]: K extends 'weekly_digest'
    ? { kind: K; data: NotificationData[K] }
    : { kind: K; data: NotificationData[K]; partner: PartnerInfo };
}[NotificationKind];

/** What the templates render: a message with the program it speaks for. */
export type Message = MessageBody & { program: ProgramInfo };

export type MessageOf<K extends NotificationKind> = Extract<MessageBody, { kind: K }> & { program: ProgramInfo };

export interface EmailRecipient {
  name?: string;
  email: string;
}

/** Slack target: a DM by user id when known, else the escalation channel. */
export interface SlackTarget {
  userId?: string;
  /** Use the configured escalation channel (SLACK_ESCALATION_CHANNEL). */
  escalation?: boolean;
  /** Fallback label for logs and the state, e.g. the manager's e-mail. */
  label: string;
}

/**
 * One delivery. `key` is unique per workflow and stable across retries and
 * replays, e.g. `welcome:partner`, `opportunity_sla_manager:opp-1:manager`; the
 * delivery idempotency key is `${workflowId}/${key}`.
 */
export type NotificationRequest = MessageBody & {
  key: string;
  /**
   * The pinned playbook's program. Absent only for partners pinned to a playbook
   * from before programs existed: the activity then uses its worker's program.
   */
  program?: ProgramInfo;
  /**
   * Essential (the playbook's rule says so, or its kind always is): delivered
   * whatever the recipient's preferences say, and never held back by quiet hours.
   */
  essential?: boolean;
  /**
   * The caller requests it again when the activity answers `deferred` (a
   * recipient's quiet hours). Without it, quiet hours do not hold the message
   * back (nobody would send it later); turned-off kinds and channels still apply.
   */
  deferrable?: boolean;
} & ({ channel: 'email'; to: EmailRecipient[] } | { channel: 'slack'; to: SlackTarget });

/**
 * What the activity reports back; the workflow records it in the state.
 *
 * - `sent`: it went out (to every recipient whose preferences allow it now);
 * - `failed`: it failed permanently (bad address, `channel_not_found`, ...);
 * - `suppressed`: every recipient turned this off (never retried, never requested again);
 * - `deferred`: every recipient it may go to is in quiet hours: request it again at `retryAt`.
 *
 * A `sent` result may carry `retryAt` too: some recipients got it, others are
 * in quiet hours. Requesting the same key again then reaches only those: each
 * recipient's delivery is recorded on its own (activities/recipients.ts).
 */
export interface DeliveryResult {
  key: string;
  status: 'sent' | 'failed' | 'suppressed' | 'deferred';
  /** When failed permanently: e.g. `invalid address`, `channel_not_found`. */
  error?: string;
  /** Why it was suppressed or deferred, for some or all recipients, e.g. `1 of 2 recipients unsubscribed`. */
  reason?: string;
  /** When to request it again (ISO-8601): the end of the earliest quiet hours among the recipients it waits for. */
  retryAt?: string;
  /** Provider id: the e-mail Message-ID or the Slack message ts. */
  providerId?: string;
  /** True when the activity found it had already been delivered (a retry). */
  duplicate?: boolean;
}

/** Input of the `deliverNotification` activity. */
export interface DeliveryInput {
  workflowId: string;
  request: NotificationRequest;
}
