/**
 * The playbook format: the seed's 90-day framework as data. A playbook says, per
 * partner segment, how long each phase lasts, which milestones exist, when they
 * are due, which are required at the phase checkpoint, which event completes
 * each one, and which nudges go to whom and when.
 *
 * Pure module (zod only): the workflow bundle imports it, because each workflow
 * pins the playbook it started with (types only: the workflow never evaluates the
 * schemas). Reading files lives in config/loadPlaybook.ts.
 */
import { z } from 'zod';
import { ConflictRule } from './accounts/schema';
import { ALWAYS_ESSENTIAL_KINDS, NOTIFICATION_KINDS, type NotificationKind } from './notifications';
import { EVENT_TYPES, fieldErrors, Phase, Role, type EventType, type Parsed } from './types';

const id = z
  .string()
  .max(64)
  .regex(/^[a-z][a-z0-9_]*$/, { message: 'must be snake_case (a-z, 0-9, _), starting with a letter' });
const EventTypeName = z.enum(EVENT_TYPES as [EventType, ...EventType[]]);
const NotificationKind = z.enum(NOTIFICATION_KINDS);
const days = z.number().int().min(1).max(365);
const hours = z.number().min(-24 * 365).max(24 * 365);

/** How a milestone gets done. Every rule can also be satisfied by a `milestone_waived` event. */
export const CompletionRule = z.discriminatedUnion('kind', [
  /** One of `events` arrives whose `data` has every `match` field equal. */
  z.strictObject({
    kind: z.literal('event'),
    events: z.array(EventTypeName).min(1),
    match: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    /** Counts only once the partner has reached this phase (e.g. the closing review after monthly ones). */
    fromPhase: Phase.optional(),
    /** One event completes only the earliest-due open milestone among those with this flag and event. */
    firstOpenOnly: z.boolean().optional(),
  }),
  /** `assessment_completed` for `assessment` with a score at or above the playbook's pass mark. */
  z.strictObject({ kind: z.literal('assessment_passed'), assessment: z.string().min(1).max(128) }),
  /** `certification_completed`, passed, on `track`, or without one on the partner's primary role. */
  z.strictObject({ kind: z.literal('certification_passed'), track: Role.optional() }),
  /** `practical_completed` on `track` (the event's `track`, the primary role when it has none), or without one on the primary role. */
  z.strictObject({ kind: z.literal('practical_done'), track: Role.optional() }),
  /** At least `count` distinct opportunities registered. */
  z.strictObject({ kind: z.literal('registrations'), count: z.number().int().min(1).max(100) }),
  /** A deal won, or qualified open pipeline at or above the playbook's `pipelineThreshold`. */
  z.strictObject({ kind: z.literal('deal_or_pipeline') }),
  /** The system delivered a notification of this kind by e-mail (e.g. the welcome e-mail). */
  z.strictObject({ kind: z.literal('notification_delivered'), notification: NotificationKind }),
]);
export type CompletionRule = z.infer<typeof CompletionRule>;

export const MilestoneDef = z.strictObject({
  id,
  title: z.string().min(1).max(200),
  phase: Phase,
  owner: z.enum(['partner', 'vendor']),
  /** Days after the contract signature (before any extension). */
  dueDay: z.number().int().min(0).max(730),
  requiredAtCheckpoint: z.boolean(),
  completion: CompletionRule,
  /** Only in the plan of partners who have this role besides their primary one (a second certification path). */
  forAdditionalRole: Role.optional(),
});
export type MilestoneDef = z.infer<typeof MilestoneDef>;

/** Facts the domain records as they happen; notification rules can react to each. */
export const LIFECYCLE_TRIGGERS = [
  'registration_gated', // a registration was rejected by a gate (once per event id)
  'checkpoint_gaps', // a phase deadline passed with required milestones missing
  'auto_extension', // no decision within the window: the default extension applied
  'at_risk', // the partner became at risk (not counting opportunity SLAs, which escalate themselves)
  'phase_advanced', // the partner moved to the next phase
  'first_registration', // the partner's first opportunity registration
  'first_deal_won',
  'deal_lost', // a registered opportunity was lost (once per opportunity)
  'certification_passed', // a role certification the partner needs was passed (once per track)
  'graduated',
  'offboarded',
  'manager_handover', // a new partner manager took the partner over
  'success_handover', // at graduation, the profile's success manager takes the partner over
  'inactive', // after graduation: no event for `ongoing.inactivityDays` (once per quiet spell)
  'tier_changed', // after graduation: the tier from `ongoing.tiers` changed
  'account_conflict', // a registration of this partner conflicts with another partner's or the direct team's (once per conflict)
  'account_conflict_resolved', // that conflict was decided by a manager, or ended by a withdrawal (once per conflict)
] as const;

/** When a notification rule fires. Timed triggers fire once per scope (milestone, opportunity, review cycle). */
export const Trigger = z.discriminatedUnion('on', [
  /** `afterHours` after the contract start, during onboarding; only if one of `ifAnyOpen` is still open. */
  z.strictObject({ on: z.literal('start'), afterHours: hours.min(0), ifAnyOpen: z.array(id).min(1).optional() }),
  /** Relative to each selected milestone's due time (negative: before), while that milestone is open. */
  z.strictObject({
    on: z.literal('milestone_due'),
    afterHours: hours,
    milestones: z.strictObject({
      ids: z.array(id).min(1).optional(),
      owner: z.enum(['partner', 'vendor']).optional(),
      requiredAtCheckpoint: z.boolean().optional(),
    }),
  }),
  /** Relative to a phase deadline (after extensions), during onboarding. */
  z.strictObject({
    on: z.literal('phase_deadline'),
    phase: Phase,
    afterHours: hours,
    ifAnyOpen: z.array(id).min(1).optional(),
  }),
  /** At an opportunity's SLA mark (hours after registration, see `opportunitySla`) while unanswered. */
  z.strictObject({ on: z.literal('opportunity_sla'), mark: z.enum(['response', 'escalation']) }),
  /** Relative to the next recurring business review, once per review cycle (`afterGraduation`: only once onboarded). */
  z.strictObject({ on: z.literal('review_due'), afterHours: hours, afterGraduation: z.boolean().optional() }),
  z.strictObject({ on: z.enum(LIFECYCLE_TRIGGERS) }),
]);
export type Trigger = z.infer<typeof Trigger>;
export type LifecycleTrigger = (typeof LIFECYCLE_TRIGGERS)[number];

/**
 * One nudge. Audiences: `partner` = e-mail to the partner contacts in their
 * business hours; `manager` = Slack to the partner manager (or their daily
 * digest); `escalation` = Slack to the escalation channel.
 *
 * `essential`: its messages reach every recipient whatever their notification
 * preferences (unsubscribed, kind or channel turned off, quiet hours). Unset,
 * the kind decides (ESSENTIAL_BY_DEFAULT_KINDS in ./notifications.ts); the
 * opportunity SLA kinds are always essential and refuse `essential: false`.
 */
export const NotificationRule = z.strictObject({
  id,
  kind: NotificationKind,
  audience: z.array(z.enum(['partner', 'manager', 'escalation'])).min(1),
  trigger: Trigger,
  essential: z.boolean().optional(),
});
export type NotificationRule = z.infer<typeof NotificationRule>;
export type Audience = NotificationRule['audience'][number];
export type TriggerName = Trigger['on'];

/**
 * What a rule of each kind may be triggered by and sent to: each kind's data is
 * built from its trigger (workflows/domain/messages.ts), and each kind has a
 * partner e-mail and/or a team Slack version (activities/templates.ts). The
 * kinds the system sends on its own (digests, the missing-contacts note) are no rule's.
 */
export const KIND_RULES: Record<NotificationKind, { triggers: readonly TriggerName[]; audiences: readonly Audience[] }> = {
  welcome: { triggers: ['start'], audiences: ['partner'] },
  access_overdue: { triggers: ['start'], audiences: ['manager', 'escalation'] },
  week2_checkin: { triggers: ['start'], audiences: ['manager'] },
  milestone_reminder: { triggers: ['milestone_due'], audiences: ['partner'] },
  training_stalled_partner: { triggers: ['milestone_due'], audiences: ['partner'] },
  training_stalled_manager: { triggers: ['milestone_due'], audiences: ['manager', 'escalation'] },
  registration_gated: { triggers: ['registration_gated'], audiences: ['partner'] },
  opportunity_sla_manager: { triggers: ['opportunity_sla'], audiences: ['manager', 'escalation'] },
  opportunity_sla_escalation: { triggers: ['opportunity_sla'], audiences: ['manager', 'escalation'] },
  first_deal_support: { triggers: ['first_registration'], audiences: ['manager', 'escalation'] },
  checkpoint_summary: { triggers: ['checkpoint_gaps'], audiences: ['manager', 'escalation'] },
  checkpoint_extended: { triggers: ['auto_extension'], audiences: ['manager', 'escalation'] },
  phase_advanced: { triggers: ['phase_advanced'], audiences: ['partner'] },
  at_risk: { triggers: ['at_risk'], audiences: ['manager', 'escalation'] },
  vendor_milestone_due: { triggers: ['milestone_due'], audiences: ['manager', 'escalation'] },
  first_deal_celebration: { triggers: ['first_deal_won'], audiences: ['partner', 'manager', 'escalation'] },
  deal_lost_followup: { triggers: ['deal_lost'], audiences: ['manager', 'escalation'] },
  certification_recognition: { triggers: ['certification_passed'], audiences: ['partner', 'manager'] },
  business_review_scheduled: { triggers: ['milestone_due'], audiences: ['partner', 'manager'] },
  survey_request: { triggers: ['phase_deadline'], audiences: ['partner'] },
  graduated: { triggers: ['graduated'], audiences: ['partner', 'manager', 'escalation'] },
  community_invitation: { triggers: ['graduated'], audiences: ['partner'] },
  recurring_review_reminder: { triggers: ['review_due'], audiences: ['manager', 'escalation'] },
  quarterly_plan_request: { triggers: ['review_due'], audiences: ['partner', 'manager'] },
  manager_handover: { triggers: ['manager_handover'], audiences: ['manager'] },
  success_handover: { triggers: ['success_handover'], audiences: ['partner', 'manager'] },
  activity_dropped: { triggers: ['inactive'], audiences: ['manager', 'escalation'] },
  tier_changed: { triggers: ['tier_changed'], audiences: ['partner', 'manager'] },
  offboarded: { triggers: ['offboarded'], audiences: ['manager', 'escalation'] },
  account_conflict: { triggers: ['account_conflict', 'account_conflict_resolved'], audiences: ['manager', 'escalation'] },
  registration_conflict: { triggers: ['account_conflict', 'account_conflict_resolved'], audiences: ['partner'] },
  partner_contacts_missing: { triggers: [], audiences: [] },
  manager_digest: { triggers: [], audiences: [] },
  weekly_digest: { triggers: [], audiences: [] },
};

const link = z
  .string()
  .max(500)
  .regex(/^https?:\/\/[^\s<>"']+$/, { message: 'must be an http(s) URL' });

/**
 * The program behind the messages: its name, where partners go (portal, survey,
 * office hours, community, certificates) and the escalation path. Every link a
 * message shows comes from here.
 */
export const ProgramSchema = z.strictObject({
  /** "Acme Partner Network": the sender, and the name messages use. */
  name: z.string().min(1).max(100),
  /** ISO 4217 code of deal amounts and the pipeline threshold, e.g. USD. */
  currency: z.string().regex(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 currency code such as USD' }),
  portalUrl: link,
  /** The onboarding experience survey ("Complete feedback survey on onboarding experience"). */
  surveyUrl: link,
  /** "Offer live Q&A session (weekly office hours model)". */
  officeHoursUrl: link.optional(),
  /** "Invite to relevant community channels (Slack groups, etc.)". */
  community: z.strictObject({ url: link, channels: z.array(z.string().min(1).max(100)).max(10) }),
  /** Where certified partners find their certificate ("Certificate + recognition when complete"). */
  certificatesUrl: link.optional(),
  /** "Clear escalation path (Slack channel, hotline)": who partners and managers turn to when stuck. */
  escalation: z.strictObject({
    name: z.string().min(1).max(200),
    email: z.email({ message: 'must be an e-mail address' }),
    phone: z.string().min(3).max(40).optional(),
    slackChannel: z.string().min(1).max(100).optional(),
  }),
});
export type ProgramInfo = z.infer<typeof ProgramSchema>;

export const SegmentPlan = z
  .strictObject({
    phaseDays: z.strictObject({ foundation: days, activation: days, momentum: days }),
    /** Ongoing success management: a business review every N days after graduation. */
    reviewCadenceDays: days,
    /** Recurring reviews run during onboarding too (strategic: monthly business reviews). */
    reviewsDuringOnboarding: z.boolean(),
    milestones: z.array(MilestoneDef).min(1),
    notifications: z.array(NotificationRule),
  })
  .superRefine((plan, ctx) => {
    const ids = new Set<string>();
    const phaseEnd = { foundation: 0, activation: 0, momentum: 0 };
    let end = 0;
    for (const phase of Phase.options) phaseEnd[phase] = end += plan.phaseDays[phase];
    plan.milestones.forEach((m, i) => {
      if (ids.has(m.id)) {
        ctx.addIssue({ code: 'custom', path: ['milestones', i, 'id'], message: `duplicate milestone id '${m.id}'` });
      }
      ids.add(m.id);
      if (m.dueDay > phaseEnd[m.phase]) {
        ctx.addIssue({
          code: 'custom',
          path: ['milestones', i, 'dueDay'],
          message: `must be at most ${phaseEnd[m.phase]}, the last day of the ${m.phase} phase`,
        });
      }
    });
    const known = (list: string[] | undefined, path: (string | number)[]) =>
      list?.forEach((ref, j) => {
        if (!ids.has(ref)) ctx.addIssue({ code: 'custom', path: [...path, j], message: `unknown milestone id '${ref}'` });
      });
    const ruleIds = new Set<string>();
    plan.notifications.forEach((rule, i) => {
      if (ruleIds.has(rule.id)) {
        ctx.addIssue({ code: 'custom', path: ['notifications', i, 'id'], message: `duplicate rule id '${rule.id}'` });
      }
      ruleIds.add(rule.id);
      const t = rule.trigger;
      const allowed = KIND_RULES[rule.kind];
      if (!allowed.triggers.includes(t.on)) {
        ctx.addIssue({
          code: 'custom',
          path: ['notifications', i, 'trigger', 'on'],
          message: allowed.triggers.length
            ? `a ${rule.kind} rule must be triggered on ${allowed.triggers.join(' or ')}`
            : `${rule.kind} is sent by the system, not by a playbook rule`,
        });
      }
      rule.audience.forEach((audience, j) => {
        if (!allowed.audiences.includes(audience)) {
          ctx.addIssue({
            code: 'custom',
            path: ['notifications', i, 'audience', j],
            message: `a ${rule.kind} message has no ${audience} version (allowed: ${allowed.audiences.join(', ') || 'none'})`,
          });
        }
      });
      if (rule.essential === false && (ALWAYS_ESSENTIAL_KINDS as readonly string[]).includes(rule.kind)) {
        ctx.addIssue({
          code: 'custom',
          path: ['notifications', i, 'essential'],
          message: `${rule.kind} messages are always essential: a recipient's preferences cannot turn off the opportunity SLA`,
        });
      }
      if (t.on === 'start' || t.on === 'phase_deadline') known(t.ifAnyOpen, ['notifications', i, 'trigger', 'ifAnyOpen']);
      if (t.on === 'milestone_due') known(t.milestones.ids, ['notifications', i, 'trigger', 'milestones', 'ids']);
    });
  });
export type SegmentPlan = z.infer<typeof SegmentPlan>;

export const PlaybookSchema = z
  .strictObject({
    /** The version id: published versions are named by it (URLs, workflow ids, `onboarding migrate --to`). */
    version: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, { message: 'must be 1 to 64 of A-Z a-z 0-9 . _ -, e.g. 2027.01' }),
    program: ProgramSchema,
    /** Product assessment pass mark in percent (seed: 80%). */
    passMark: z.number().min(0).max(100),
    /** "$X pipeline value": qualified open pipeline that counts as first_deal_or_pipeline. */
    pipelineThreshold: z.number().nonnegative(),
    /** "Respond to opportunity registration within 24 hours"; escalate later. */
    opportunitySla: z
      .strictObject({ responseHours: z.number().positive().max(720), escalationHours: z.number().positive().max(720) })
      .refine((s) => s.escalationHours > s.responseHours, {
        path: ['escalationHours'],
        message: 'must be greater than responseHours',
      }),
    checkpointPolicy: z.strictObject({
      /** Days after a phase deadline with gaps for a manager's checkpoint_decision. */
      decisionWindowDays: z.number().int().min(0).max(60),
      /** The extension applied by default, and by an `extend` decision without `days`. */
      defaultExtensionDays: days,
      /** Default extensions in total; after that the partner is at risk. */
      maxAutoExtensions: z.number().int().min(0).max(10),
    }),
    /** A required milestone overdue by more than this many days (or a review, after graduation) means at risk. */
    atRiskOverdueDays: z.number().int().min(1).max(365),
    /** "Gate opportunity registration behind baseline training completion." Done or waived satisfies a gate. */
    gates: z.array(z.strictObject({ event: EventTypeName, requires: z.array(id).min(1) })),
    /** "Training fast track for experienced partners" (profile.experienced). */
    fastTrack: z.strictObject({
      waive: z.array(id),
      waiveReason: z.string().min(1).max(200),
      /** `milestone` completes as soon as `whenDone` is done (test-out). */
      testOut: z.array(z.strictObject({ milestone: id, whenDone: id })),
    }),
    /** Partner e-mails go out in the partner's business hours (profile.timezone, default UTC). */
    businessHours: z
      .strictObject({
        /** ISO weekdays: 1 = Monday ... 7 = Sunday. */
        weekdays: z.array(z.number().int().min(1).max(7)).min(1),
        startHour: z.number().int().min(0).max(23),
        endHour: z.number().int().min(1).max(24),
      })
      .refine((b) => b.endHour > b.startHour, { path: ['endHour'], message: 'must be after startHour' }),
    /** Managers with `digest: true` get their Slack pings once a day at this hour (UTC). */
    digestHourUtc: z.number().int().min(0).max(23),
    /**
     * Two partners (or a partner and the direct team) registering the same account
     * (by domain, else by normalised name): `first_registration_wins` rejects the
     * later registration; `manager_decides` holds both until a manager decides.
     * Absent: first registration wins.
     */
    accountConflicts: z.strictObject({ rule: ConflictRule }).optional(),
    segments: z.strictObject({ strategic: SegmentPlan, core: SegmentPlan, transactional: SegmentPlan }),
    /** Ongoing success management after graduation (seed: "Partners get lost after 90 days"). */
    ongoing: z
      .strictObject({
        /** No event for this many days after graduation: the partner is at risk and the manager hears. */
        inactivityDays: days,
        /** Highest first: a graduated partner is in the first tier whose every threshold it meets. */
        tiers: z
          .array(
            z.strictObject({
              id,
              name: z.string().min(1).max(100),
              minRegistered: z.number().int().min(0).optional(),
              minWonRevenue: z.number().min(0).optional(),
              minCertifications: z.number().int().min(0).optional(),
            }),
          )
          .max(10),
      })
      .optional(),
  })
  .superRefine((pb, ctx) => {
    const everywhere = new Set(Object.values(pb.segments).flatMap((s) => s.milestones.map((m) => m.id)));
    const known = (ref: string, path: (string | number)[]) => {
      if (!everywhere.has(ref)) ctx.addIssue({ code: 'custom', path, message: `unknown milestone id '${ref}' (in no segment)` });
    };
    pb.gates.forEach((g, i) => g.requires.forEach((ref, j) => known(ref, ['gates', i, 'requires', j])));
    pb.fastTrack.waive.forEach((ref, i) => known(ref, ['fastTrack', 'waive', i]));
    pb.fastTrack.testOut.forEach((t, i) => {
      known(t.milestone, ['fastTrack', 'testOut', i, 'milestone']);
      known(t.whenDone, ['fastTrack', 'testOut', i, 'whenDone']);
    });
  });
export type Playbook = z.infer<typeof PlaybookSchema>;

/** Validates a playbook; errors name the field, e.g. `segments.core.milestones.3.dueDay`. */
export function parsePlaybook(json: unknown): Parsed<Playbook> {
  const r = PlaybookSchema.safeParse(json);
  return r.success ? { ok: true, value: r.data } : { ok: false, errors: fieldErrors(r.error) };
}
