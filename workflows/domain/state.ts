/**
 * The onboarding state: plain JSON (numbers for instants, no Map, no Date), so
 * it survives queries, continue-as-new and replays unchanged. The playbook the
 * partner started with is pinned inside it.
 */
import type { LifecycleTrigger, MilestoneDef, NotificationRule, Playbook, ProgramInfo, SegmentPlan } from '../playbook';
import { withBuiltInRules } from '../notifications';
import type { DigestEntry, NotificationKind } from '../notifications';
import type { ConflictNotice } from '../accounts/types';
import type { AccountsState } from './conflicts';
import type {
  CheckpointOutcome,
  Contact,
  LifecyclePhase,
  NotificationView,
  OpportunityStatus,
  PartnerProfile,
  Phase,
  RejectedEvent,
} from '../types';
import { partnerRoles, primaryRole } from '../types';
import { nextBusinessMoment } from './businessHours';
import { DAY, HOUR } from './time';

export { DAY, HOUR };
export const PHASES: readonly Phase[] = ['foundation', 'activation', 'momentum'];

/** How much history the state keeps (it is carried through continue-as-new). */
export const LIMITS = {
  seenEventIds: 5000,
  rejectedEvents: 200,
  requestedKeys: 5000,
  pendingDeliveries: 500,
  notifications: 500,
  closedOpportunities: 200,
  outbox: 200,
  profileChanges: 100,
} as const;

/** A milestone that is done, or waived (`waived` set). Open milestones have no entry. */
export interface Completion {
  atMs: number;
  waived?: { reason: string; by?: string };
}

export interface Opportunity {
  opportunityId: string;
  account?: string;
  amount?: number;
  status: OpportunityStatus;
  identifiedAtMs: number | null;
  registeredAtMs: number | null;
  acknowledgedAtMs: number | null;
  owner?: string;
  qualifiedAtMs: number | null;
  closedAtMs: number | null;
}

export interface Checkpoint {
  phase: Phase;
  dueAtMs: number;
  outcome: CheckpointOutcome;
  gaps: string[];
  decidedAtMs?: number;
  decidedBy?: string;
  note?: string;
}

/** Why a partner is at risk (./health.ts), by id: messages resolve titles and dates (./messages.ts). */
export type RiskFact =
  | { code: 'milestone_overdue'; milestoneId: string }
  | { code: 'extensions_exhausted'; phase: Phase; extensions: number }
  | { code: 'opportunity_escalated'; opportunityId: string }
  | { code: 'review_overdue'; dueMs: number }
  | { code: 'inactive'; sinceMs: number; days: number };

/** The facts each lifecycle trigger records: ids and numbers, resolved into message data when sent. */
export interface OccurrenceData {
  registration_gated: { opportunityId: string; account?: string; amount?: number; missing: string[] };
  checkpoint_gaps: { phase: Phase; gaps: string[] };
  auto_extension: { phase: Phase; days: number; gaps: string[] };
  at_risk: { reasons: RiskFact[] };
  phase_advanced: { from: Phase; to: Phase };
  first_registration: { opportunityId: string };
  first_deal_won: { opportunityId: string };
  deal_lost: { opportunityId: string; reason?: string };
  certification_passed: { track: string; score?: number };
  graduated: Record<string, never>;
  offboarded: { reason: string };
  manager_handover: { from: { name: string; email: string }; by: string };
  success_handover: Record<string, never>;
  inactive: { sinceMs: number };
  tier_changed: { from: string | null; to: string | null };
  account_conflict: { notice: ConflictNotice };
  account_conflict_resolved: { notice: ConflictNotice };
}

/** A lifecycle fact waiting to be turned into notifications (see schedule.ts). */
export type Occurrence = {
  [T in LifecycleTrigger]: {
    trigger: T;
    /** Unique per trigger, part of the notification keys; '' for facts that happen once. */
    id: string;
    atMs: number;
    data: OccurrenceData[T];
  };
}[LifecycleTrigger];

/** A notification handed to the shell whose delivery result is not recorded yet. */
export interface PendingDelivery {
  key: string;
  /** A bundled request (./bundles.ts): the keys of the rule instances it stands for. */
  members?: string[];
  kind: NotificationKind;
  channel: 'email' | 'slack';
  to: string;
}

/**
 * The playbook pinned in a partner's state. Partners started before playbooks had
 * a `program` section have none: their messages take the program of the worker's
 * playbook (activities/index.ts).
 */
export type PinnedPlaybook = Omit<Playbook, 'program'> & { program?: ProgramInfo };

/** The state's shape version: carried state of an older shape is upgraded by `upgradeState`. */
export const STATE_VERSION = 3;

export interface DomainState {
  /** Absent in states carried over from before version 2. */
  v?: number;
  profile: PartnerProfile;
  playbook: PinnedPlaybook;
  /** The contract signature (profile.contractSignedAt, else the start): day 0 of every due date but those below. */
  startMs: number;
  /**
   * When the onboarding could first e-mail the partner: the contract, or the run's start when ops
   * entered the contract later, moved to the partner's next business moment. Day 0 of the milestones
   * the system completes itself by sending an e-mail (the welcome): their due date counts from the
   * first moment it was allowed to send, so a Friday-evening contract or a contract entered late does
   * not make our own e-mail late. Absent in runs from before (workflow patch `welcome-due-from-send`),
   * where those milestones count from the contract.
   */
  sendFromMs?: number;
  /**
   * Reminders due at the same moment to the same recipients go out as one message (./bundles.ts).
   * Absent in runs from before (workflow patch `bundled-reminders`), which send one each.
   */
  bundleReminders?: boolean;
  /** Partner contacts: from the profile, then from `contacts_designated`. */
  contacts: Contact[];
  phase: LifecyclePhase;
  /** Extension days that moved each phase's deadline so far, by phase index (cumulative). */
  deadlineShiftDays: number[];
  extensions: number;
  autoExtensions: number;
  completions: Record<string, Completion>;
  opportunities: Opportunity[];
  /** Distinct opportunities ever registered (closed ones may be pruned from the list). */
  registrations: number;
  checkpoints: Checkpoint[];
  graduatedAtMs: number | null;
  offboardedAtMs: number | null;
  firsts: { training: number | null; registration: number | null; engagement: number | null; deal: number | null };
  /** "Certification pass rates on first attempt": per track of the partner's roles, the first attempt's outcome. */
  certFirstAttempts: Record<string, boolean>;
  /** Tracks certified (a tier rule counts them). */
  certified: string[];
  /** Amounts of every deal won (closed opportunities are pruned; tiers count revenue). */
  wonRevenue: number;
  /** The last applied event: activity that drops off after graduation is a risk. */
  lastActivityMs: number;
  /** The playbook tier reached after graduation (`ongoing.tiers`), or null. */
  tier: string | null;
  /** Who changed the profile, when, and which fields. */
  profileChanges: { atMs: number; by: string; fields: string[]; reason?: string }[];
  satisfactionScore: number | null;
  reviews: {
    nextDueMs: number | null;
    completed: number;
    /** `completed` at the last continue-as-new after graduation; null: none since graduation. */
    continuedAsNewAt: number | null;
  };
  /** Inside an at-risk episode (each episode notifies once). */
  atRisk: boolean;
  atRiskEpisodes: number;
  seenEventIds: string[];
  rejectedEvents: RejectedEvent[];
  outbox: Occurrence[];
  /** Keys of every notification already returned by `advance` (or put in the digest). */
  requested: string[];
  pendingDeliveries: PendingDelivery[];
  /**
   * A digest manager's pings. Per partner (runs started before the cross-partner digest): buffered and
   * flushed once a day by this workflow. Cross-partner (`crossPartner`): kept a few days as news for the
   * manager's one daily digest across partners (../digestEntry.ts), which this workflow never sends itself.
   */
  digest: { items: DigestEntry[]; flushAtMs: number | null; sent: number; crossPartner?: boolean };
  notifications: NotificationView[];
  /** Playbook versions (./migrate.ts): the pinned playbook's hash (absent: started before versions were published). */
  playbookHash?: string;
  /** Days a migration added to open milestones' due dates so that none moved into the past, by milestone id. */
  dueShiftDays?: Record<string, number>;
  /** The migrations applied, oldest first. */
  migrations?: MigrationRecord[];
  /** Requests a recipient's quiet hours held back, requested again when they end (./deferrals.ts). */
  deferrals?: { key: string; untilMs: number; bundle?: string }[];
  /** Registrations checked with the account registry, and conflicts (./conflicts.ts); absent until the first. */
  accounts?: AccountsState;
}

export interface MigrationRecord {
  from: { version: string; hash: string | null };
  to: { version: string; hash: string };
  atMs: number;
  by?: string;
}

export function initState(profile: PartnerProfile, playbook: PinnedPlaybook, nowMs: number): DomainState {
  const startMs = profile.contractSignedAt ? Date.parse(profile.contractSignedAt) : nowMs;
  const plan = playbook.segments[profile.segment];
  const completions: Record<string, Completion> = {};
  if (profile.experienced) {
    // "Provide a training fast track for experienced partners."
    for (const id of playbook.fastTrack.waive) {
      if (plan.milestones.some((m) => m.id === id)) {
        completions[id] = { atMs: startMs, waived: { reason: playbook.fastTrack.waiveReason, by: 'playbook' } };
      }
    }
  }
  return {
    v: STATE_VERSION,
    profile,
    playbook,
    startMs,
    sendFromMs: nextBusinessMoment(Math.max(startMs, nowMs), profile.timezone ?? 'UTC', playbook.businessHours),
    bundleReminders: true,
    contacts: profile.contacts ?? [],
    phase: 'foundation',
    deadlineShiftDays: PHASES.map(() => 0),
    extensions: 0,
    autoExtensions: 0,
    completions,
    opportunities: [],
    registrations: 0,
    checkpoints: [],
    graduatedAtMs: null,
    offboardedAtMs: null,
    firsts: { training: null, registration: null, engagement: null, deal: null },
    certFirstAttempts: {},
    certified: [],
    wonRevenue: 0,
    lastActivityMs: startMs,
    tier: null,
    profileChanges: [],
    satisfactionScore: null,
    reviews: {
      nextDueMs: plan.reviewsDuringOnboarding ? startMs + plan.reviewCadenceDays * DAY : null,
      completed: 0,
      continuedAsNewAt: null,
    },
    atRisk: false,
    atRiskEpisodes: 0,
    seenEventIds: [],
    rejectedEvents: [],
    outbox: [],
    requested: [],
    pendingDeliveries: [],
    digest: { items: [], flushAtMs: null, sent: 0 },
    notifications: [],
  };
}

/**
 * A state carried over by continue-as-new from an older version. Version 1 kept
 * message data in its pending facts and digest items; their shapes are gone, so
 * those pending entries are dropped (the keys already requested stay, so nothing
 * is sent twice). Only graduated partners continue-as-new, and they rarely have any.
 */
export function upgradeState(state: DomainState): DomainState {
  if (state.v === STATE_VERSION) return state;
  let s = state;
  if (s.v === undefined) s = { ...s, outbox: [], digest: { items: [], flushAtMs: null, sent: s.digest.sent } };
  if (s.v === undefined || s.v === 2) {
    // Version 2 kept the primary track's first certification attempt alone.
    const { certificationFirstAttemptPassed: first, ...rest } = s as DomainState & { certificationFirstAttemptPassed?: boolean | null };
    const primary = primaryRole(s.profile);
    const won = s.opportunities.filter((o) => o.status === 'won').reduce((sum, o) => sum + (o.amount ?? 0), 0);
    s = {
      ...rest,
      certFirstAttempts: s.certFirstAttempts ?? (first === null || first === undefined ? {} : { [primary]: first }),
      certified: s.certified ?? (first ? [primary] : []),
      wonRevenue: s.wonRevenue ?? won,
      lastActivityMs: s.lastActivityMs ?? s.graduatedAtMs ?? s.startMs,
      tier: s.tier ?? null,
      profileChanges: s.profileChanges ?? [],
    };
  }
  return { ...s, v: STATE_VERSION };
}

/**
 * Exported functions never mutate their input: they work on a copy. The pinned
 * playbook is never mutated by anyone, so the copy shares it: it is most of the
 * state's bytes, and copying it on every event made a burst of events slow. The
 * two lists that grow with the partner's history (the seen event ids and the
 * requested keys, up to 5,000 each) hold strings only: a shallow copy is a full
 * copy of them, without a trip through JSON on every event.
 */
export function clone(state: DomainState): DomainState {
  const { playbook, seenEventIds, requested, ...rest } = state;
  const copy = jsonCopy(rest) as Omit<DomainState, 'playbook' | 'seenEventIds' | 'requested'>;
  return { ...copy, seenEventIds: seenEventIds.slice(), requested: requested.slice(), playbook };
}

/**
 * `JSON.parse(JSON.stringify(value))` for plain JSON data, without the text in
 * between: an object drops its undefined members, an array holds null for them,
 * and a number that is not finite becomes null. The state is plain data (no
 * dates, no classes), which is all this copies.
 */
export function jsonCopy(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : null; // + 0: -0 becomes 0, as in JSON
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      out[i] = v === undefined || typeof v === 'function' ? null : jsonCopy(v);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === 'function') continue;
    // A member named __proto__ (a playbook's id could be) stays a member, as JSON.parse makes it.
    if (key === '__proto__') Object.defineProperty(out, key, { value: jsonCopy(v), enumerable: true, writable: true, configurable: true });
    else out[key] = jsonCopy(v);
  }
  return out;
}

export function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Who manages the partner now: the success manager once the partner graduated ("ongoing partner success manager"), else the partner manager. */
export function activeManager(s: DomainState): PartnerProfile['partnerManager'] {
  return s.phase === 'graduated' && s.profile.successManager ? s.profile.successManager : s.profile.partnerManager;
}

export function segmentPlan(s: DomainState): SegmentPlan {
  return s.playbook.segments[s.profile.segment];
}

/*
 * Derived from the playbook alone, and asked for many times in every workflow task:
 * computed once per segment's array. A pinned playbook is never mutated (see
 * `clone`), so an answer kept by its array stays right; the answers are shared,
 * so they are read-only.
 */
const rulesBySegment = new WeakMap<readonly NotificationRule[], readonly NotificationRule[]>();
const milestonesBySegment = new WeakMap<readonly MilestoneDef[], Map<string, readonly MilestoneDef[]>>();

/** The partner's notification rules: the segment's, and the built-in ones it does not replace (BUILT_IN_RULES). */
export function notificationRules(s: DomainState): readonly NotificationRule[] {
  const own = segmentPlan(s).notifications;
  let rules = rulesBySegment.get(own);
  if (!rules) rulesBySegment.set(own, (rules = withBuiltInRules(own)));
  return rules;
}

/**
 * The partner's milestones: the segment's, less those for an additional role the
 * partner does not have ("each role adds its certification path").
 */
export function planMilestones(s: DomainState): readonly MilestoneDef[] {
  const all = segmentPlan(s).milestones;
  const additional = partnerRoles(s.profile).slice(1);
  let byRoles = milestonesBySegment.get(all);
  if (!byRoles) milestonesBySegment.set(all, (byRoles = new Map()));
  const key = additional.join(' ');
  let plan = byRoles.get(key);
  if (!plan) byRoles.set(key, (plan = all.filter((m) => !m.forAdditionalRole || additional.includes(m.forAdditionalRole))));
  return plan;
}

export function milestoneDef(s: DomainState, id: string): MilestoneDef | undefined {
  return planMilestones(s).find((m) => m.id === id);
}

/** The phase being onboarded, or null once graduated or offboarded. */
export function currentPhase(s: DomainState): Phase | null {
  return (PHASES as readonly string[]).includes(s.phase) ? (s.phase as Phase) : null;
}

/** True when the partner is in `phase` or past it (graduation is past every phase). */
export function reached(s: DomainState, phase: Phase): boolean {
  if (s.phase === 'graduated') return true;
  const current = currentPhase(s);
  return current !== null && PHASES.indexOf(current) >= PHASES.indexOf(phase);
}

export function isOpen(s: DomainState, milestoneId: string): boolean {
  return !s.completions[milestoneId];
}

/** Phase deadline in days after the contract, extensions included. */
export function phaseDeadlineDay(s: DomainState, phase: Phase): number {
  const i = PHASES.indexOf(phase);
  const days = segmentPlan(s).phaseDays;
  return PHASES.slice(0, i + 1).reduce((sum, p) => sum + days[p], 0) + s.deadlineShiftDays[i];
}

export function phaseDeadlineMs(s: DomainState, phase: Phase): number {
  return s.startMs + phaseDeadlineDay(s, phase) * DAY;
}

/**
 * A milestone's due day after the contract. Extending a phase moves the later
 * phases' milestones with it; the extended phase's own milestones keep their
 * due dates (they are the gaps).
 */
export function dueDay(s: DomainState, m: MilestoneDef): number {
  const i = PHASES.indexOf(m.phase);
  return m.dueDay + (i === 0 ? 0 : s.deadlineShiftDays[i - 1]) + (s.dueShiftDays?.[m.id] ?? 0);
}

export function dueMs(s: DomainState, m: MilestoneDef): number {
  const from = m.completion.kind === 'notification_delivered' && s.sendFromMs !== undefined ? s.sendFromMs : s.startMs;
  return from + dueDay(s, m) * DAY;
}

/** Required milestones of `phase` that are neither done nor waived. */
export function gaps(s: DomainState, phase: Phase): string[] {
  return planMilestones(s)
    .filter((m) => m.phase === phase && m.requiredAtCheckpoint && isOpen(s, m.id))
    .map((m) => m.id);
}

/** The checkpoint waiting for a manager's decision, if any. */
export function pendingCheckpoint(s: DomainState): Checkpoint | undefined {
  const last = s.checkpoints[s.checkpoints.length - 1];
  return last?.outcome === 'pending' ? last : undefined;
}

export function addOccurrence<T extends LifecycleTrigger>(s: DomainState, occurrence: Extract<Occurrence, { trigger: T }>): void {
  if (s.outbox.some((o) => o.trigger === occurrence.trigger && o.id === occurrence.id)) return;
  pushBounded(s.outbox, occurrence, LIMITS.outbox);
}
