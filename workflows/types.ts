/**
 * The public data shapes of ../shared/CONTRACT.md, as zod schemas (validation at
 * every boundary) and the TypeScript types inferred from them.
 *
 * Pure module: safe to import from workflow code, activities, the API and tests.
 */
import { z } from 'zod';
import { DOMAIN_PATTERN_SOURCE } from './accounts/keys';

export const PARTNER_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export const Segment = z.enum(['strategic', 'core', 'transactional']);
export type Segment = z.infer<typeof Segment>;

export const Role = z.enum(['sales', 'technical', 'strategic']);
export type Role = z.infer<typeof Role>;

export const Phase = z.enum(['foundation', 'activation', 'momentum']);
export type Phase = z.infer<typeof Phase>;

export const LifecyclePhase = z.enum(['foundation', 'activation', 'momentum', 'graduated', 'offboarded']);
export type LifecyclePhase = z.infer<typeof LifecyclePhase>;

export const Health = z.enum(['on_track', 'behind', 'at_risk']);
export type Health = z.infer<typeof Health>;

const isoDate = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time, e.g. 2026-11-27T09:00:00Z' });
/**
 * An e-mail address, declared and enforced by one pattern (no `format: email`,
 * whose meaning differs between validators): dot-separated atoms, a domain of
 * labels of at most 63 characters, at most 254 characters in all.
 */
export const EMAIL_PATTERN =
  /^[A-Za-z0-9_'+-]+(?:\.[A-Za-z0-9_'+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
export const Email = z
  .string()
  .max(254, { message: 'must be an e-mail address of at most 254 characters' })
  .regex(EMAIL_PATTERN, { message: 'must be an e-mail address' })
  .describe('an e-mail address');
const email = Email;

export const Contact = z.object({
  role: z.string().min(1).max(64),
  name: z.string().min(1).max(200),
  email,
});
export type Contact = z.infer<typeof Contact>;

function isIanaTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const Manager = z.object({
  name: z.string().min(1).max(200),
  email,
  slackUserId: z.string().min(1).max(64).optional(),
  digest: z.boolean().optional(), // one daily digest across all the manager's partners instead of single pings
  /** The manager's IANA time zone: the daily digest goes out in the morning there (default UTC). */
  timezone: z.string().refine(isIanaTimeZone, { message: 'must be an IANA time zone, e.g. Europe/Berlin' }).optional(),
});
export type Manager = z.infer<typeof Manager>;

export const PartnerProfile = z
  .object({
    partnerId: z.string().regex(PARTNER_ID_PATTERN, { message: 'must match [A-Za-z0-9._-]{1,64}' }),
    name: z.string().min(1).max(200),
    segment: Segment,
    /** The certification track; `roles` instead for a partner with several ("each role adds its certification path"). */
    role: Role.optional(),
    /** Several roles: the first is the primary one (role_certification); each other adds its own milestones. */
    roles: z.array(Role).min(1).max(3).optional(),
    contractSignedAt: isoDate.optional(),
    experienced: z.boolean().optional(),
    timezone: z.string().refine(isIanaTimeZone, { message: 'must be an IANA time zone, e.g. Europe/Berlin' }).optional(),
    partnerManager: Manager,
    /** The ongoing partner success manager who takes the partner over at graduation. */
    successManager: Manager.optional(),
    contacts: z.array(Contact).max(50).optional(),
  })
  .superRefine((p, ctx) => {
    if (!p.role && !p.roles) ctx.addIssue({ code: 'custom', path: ['role'], message: 'give role, or roles' });
    if (p.role && p.roles && p.roles[0] !== p.role) {
      ctx.addIssue({ code: 'custom', path: ['roles'], message: 'must start with role (the primary role) when both are given' });
    }
    if (p.roles && new Set(p.roles).size !== p.roles.length) ctx.addIssue({ code: 'custom', path: ['roles'], message: 'must not repeat a role' });
  });
export type PartnerProfile = z.infer<typeof PartnerProfile>;

/**
 * A change to a running partner's profile (the `updateProfile` Update, PATCH
 * /v1/partners/{id}): any of manager, success manager, contacts, roles,
 * time zone and segment, with who made it.
 */
export const ProfileChange = z
  .strictObject({
    partnerManager: Manager.optional(),
    /** null removes the success manager. */
    successManager: Manager.nullable().optional(),
    contacts: z.array(Contact).max(50).optional(),
    role: Role.optional(),
    roles: z.array(Role).min(1).max(3).optional(),
    timezone: z.string().refine(isIanaTimeZone, { message: 'must be an IANA time zone, e.g. Europe/Berlin' }).optional(),
    segment: Segment.optional(),
    /** Who made the change: shown in the timeline. */
    by: z.string().min(1).max(200),
    reason: z.string().min(1).max(500).optional(),
  })
  .superRefine((c, ctx) => {
    const fields = PROFILE_CHANGE_FIELDS.filter((f) => c[f] !== undefined);
    if (!fields.length) ctx.addIssue({ code: 'custom', path: [], message: `change at least one of: ${PROFILE_CHANGE_FIELDS.join(', ')}` });
    if (c.role && c.roles && c.roles[0] !== c.role) {
      ctx.addIssue({ code: 'custom', path: ['roles'], message: 'must start with role (the primary role) when both are given' });
    }
    if (c.roles && new Set(c.roles).size !== c.roles.length) ctx.addIssue({ code: 'custom', path: ['roles'], message: 'must not repeat a role' });
  });
export type ProfileChange = z.infer<typeof ProfileChange>;
export const PROFILE_CHANGE_FIELDS = ['partnerManager', 'successManager', 'contacts', 'role', 'roles', 'timezone', 'segment'] as const;

export function parseProfileChange(input: unknown): Parsed<ProfileChange> {
  const r = ProfileChange.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, errors: fieldErrors(r.error) };
}

/** The partner's roles, the primary one first. */
export function partnerRoles(profile: Pick<PartnerProfile, 'role' | 'roles'>): Role[] {
  return profile.roles ?? (profile.role ? [profile.role] : []);
}

/** The primary role: its certification is `role_certification`. */
export function primaryRole(profile: Pick<PartnerProfile, 'role' | 'roles'>): Role {
  return partnerRoles(profile)[0]!;
}

const opportunityId = z.string().min(1).max(128);
const accountDomain = z
  .string()
  .max(253)
  .regex(new RegExp(DOMAIN_PATTERN_SOURCE), { message: 'must be a domain name, e.g. initech.example' });
const empty = z.object({}).optional();

/** The `data` schema of each event type. */
export const EventData = {
  kickoff_completed: empty,
  profile_completed: empty,
  contacts_designated: z.object({ contacts: z.array(Contact).min(1).max(50) }),
  agreements_signed: z.object({ agreements: z.array(z.string().min(1)).optional() }).optional(),
  portal_access_granted: z
    .object({ systems: z.array(z.enum(['portal', 'training', 'deal_registration'])).optional() })
    .optional(),
  training_completed: z.object({ module: z.string().min(1).max(128) }),
  assessment_completed: z.object({ assessment: z.string().min(1).max(128), score: z.number().min(0).max(100) }),
  demo_shadowed: empty,
  joint_business_plan_created: empty,
  executive_sponsor_assigned: z.object({ name: z.string().min(1).max(200).optional() }).optional(),
  target_accounts_shared: z.object({ accounts: z.array(z.string().min(1).max(200)).max(200).optional() }).optional(),
  opportunity_identified: z.object({ opportunityId, account: z.string().max(200).optional() }),
  opportunity_registered: z.object({
    opportunityId,
    account: z.string().max(200).optional(),
    /** The account's domain: conflicts with other partners' registrations are found by it (else by the account's name). */
    domain: accountDomain.optional(),
    amount: z.number().nonnegative().optional(),
  }),
  opportunity_acknowledged: z.object({ opportunityId, owner: z.string().max(200).optional() }),
  opportunity_qualified: z.object({ opportunityId, amount: z.number().nonnegative().optional() }),
  opportunity_disqualified: z.object({ opportunityId, reason: z.string().max(500).optional() }),
  customer_engagement_completed: z.object({
    opportunityId: opportunityId.optional(),
    kind: z.enum(['meeting', 'call', 'demo']),
  }),
  certification_completed: z.object({
    track: z.string().min(1).max(64),
    passed: z.boolean(),
    score: z.number().min(0).max(100).optional(),
  }),
  practical_completed: z.object({ kind: z.string().max(128).optional(), track: z.string().min(1).max(64).optional() }).optional(),
  deal_won: z.object({ opportunityId, amount: z.number().nonnegative() }),
  deal_lost: z.object({ opportunityId, reason: z.string().max(500).optional() }),
  community_event_attended: z.object({ event: z.string().max(200).optional() }).optional(),
  extended_team_met: z.object({ team: z.enum(['marketing', 'product', 'customer_success']) }),
  survey_completed: z.object({ score: z.number().min(0).max(10), comment: z.string().max(2000).optional() }),
  business_review_completed: z.object({ notes: z.string().max(2000).optional() }).optional(),
  milestone_waived: z.object({
    milestoneId: z.string().min(1).max(64),
    reason: z.string().min(1).max(500),
    by: z.string().max(200).optional(),
  }),
  checkpoint_decision: z.object({
    decision: z.enum(['advance', 'extend', 'offboard']),
    /** The checkpoint it answers; refused when another phase's checkpoint is the one waiting (a stale button). */
    phase: Phase.optional(),
    days: z.number().int().min(1).max(120).optional(),
    by: z.string().max(200).optional(),
    note: z.string().max(2000).optional(),
  }),
  offboarded: z.object({ reason: z.string().min(1).max(500) }),
} as const;

export type EventType = keyof typeof EventData;
export const EVENT_TYPES = Object.keys(EventData) as EventType[];

const envelope = {
  eventId: z.string().min(1).max(128),
  occurredAt: isoDate.optional(),
};

/** A `PartnerEvent`, discriminated by `type` so that each type's `data` is checked. */
export const PartnerEvent = z.discriminatedUnion(
  'type',
  EVENT_TYPES.map((type) => z.object({ ...envelope, type: z.literal(type), data: EventData[type] })) as unknown as [
    z.ZodObject<{ type: z.ZodLiteral<EventType> }>,
    ...z.ZodObject<{ type: z.ZodLiteral<EventType> }>[],
  ],
  {
    error: (issue) =>
      (issue as { code: string }).code === 'invalid_type'
        ? 'must be a JSON object with eventId, type and data'
        : `must be one of: ${EVENT_TYPES.join(', ')}`,
  },
);

/** A validated event, typed per event type. */
export type PartnerEvent = {
  [K in EventType]: { eventId: string; type: K; occurredAt?: string } & (undefined extends z.infer<(typeof EventData)[K]>
    ? { data?: z.infer<(typeof EventData)[K]> }
    : { data: z.infer<(typeof EventData)[K]> });
}[EventType];

export type EventOf<K extends EventType> = Extract<PartnerEvent, { type: K }>;

export const CheckpointDecision = EventData.checkpoint_decision;
export type CheckpointDecision = z.infer<typeof CheckpointDecision>;

export const MilestoneWaiver = EventData.milestone_waived;
export type MilestoneWaiver = z.infer<typeof MilestoneWaiver>;

/**
 * The arguments of the `decideCheckpoint` and `waiveMilestone` Updates: the
 * event's data, and optionally its eventId (an idempotency key shared with the
 * `partnerEvent` signal; derived from the Update id when absent). The workflow
 * checks them as the `PartnerEvent` they stand for: no schema of their own.
 */
export type DecisionUpdate = CheckpointDecision & { eventId?: string };
export type WaiverUpdate = MilestoneWaiver & { eventId?: string };
/** The argument of the `acknowledgeOpportunity` Update (a manager answering a registration, e.g. from Slack). */
export type AcknowledgeUpdate = { opportunityId: string; owner?: string; eventId?: string };

/** One field-level validation problem: `field` is a path such as `data.score` or `contacts[0].email`. */
export interface FieldError {
  field: string;
  message: string;
}

/** The one field-path format, everywhere (API 400s, rejectedEvents, playbook and config errors): `contacts[0].email`; the empty path is `(root)`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  const text = path
    .map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${String(segment)}`))
    .join('');
  return text || '(root)';
}

export function fieldErrors(error: z.ZodError, prefix: readonly PropertyKey[] = []): FieldError[] {
  return error.issues.map((issue) => ({ field: fieldPath([...prefix, ...issue.path]), message: issue.message }));
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function parseProfile(input: unknown): Parsed<PartnerProfile> {
  const r = PartnerProfile.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, errors: fieldErrors(r.error) };
}

export function parseEvent(input: unknown): Parsed<PartnerEvent> {
  const r = PartnerEvent.safeParse(input);
  return r.success ? { ok: true, value: r.data as PartnerEvent } : { ok: false, errors: fieldErrors(r.error) };
}

// OnboardingState, the query result: defined once, as zod, in ./onboardingState.ts
// (a module the workflow imports for its types only).
export type {
  CheckpointOutcome,
  CheckpointView,
  Indicators,
  MilestoneStatus,
  MilestoneView,
  NotificationView,
  OnboardingState,
  OpportunityStatus,
  OpportunityView,
  RejectedEvent,
} from './onboardingState';
