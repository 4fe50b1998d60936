/**
 * `OnboardingState`: what the `onboardingState` query answers and the API
 * serves (../shared/CONTRACT.md), defined once as zod; the OpenAPI document is
 * generated from it and the types are inferred from it.
 *
 * The workflow imports this module for its types only: its schemas are never
 * evaluated in the workflow bundle (each cached workflow would pay for them).
 */
import { z } from 'zod';
import { Health, LifecyclePhase, Phase, Role, Segment } from './types';
import { PartnerConflict } from './accounts/schema';

const iso = z.string().describe('ISO-8601 date-time');
const isoOrNull = iso.nullable();

export const MilestoneStatus = z.enum(['pending', 'done', 'overdue', 'waived']);
export type MilestoneStatus = z.infer<typeof MilestoneStatus>;
export const OpportunityStatus = z.enum(['identified', 'registered', 'qualified', 'disqualified', 'won', 'lost']);
export type OpportunityStatus = z.infer<typeof OpportunityStatus>;
export const CheckpointOutcome = z.enum(['pending', 'passed', 'extended', 'advanced', 'offboarded']);
export type CheckpointOutcome = z.infer<typeof CheckpointOutcome>;

export const MilestoneView = z.object({
  id: z.string(),
  title: z.string(),
  phase: Phase,
  owner: z.enum(['partner', 'vendor']),
  required: z.boolean(),
  status: MilestoneStatus,
  dueAt: iso,
  completedAt: isoOrNull,
  waivedReason: z.string().optional(),
});
export type MilestoneView = z.infer<typeof MilestoneView>;

export const OpportunityView = z.object({
  opportunityId: z.string(),
  account: z.string().optional(),
  amount: z.number().optional(),
  status: OpportunityStatus,
  identifiedAt: isoOrNull,
  registeredAt: isoOrNull,
  acknowledgedAt: isoOrNull,
  owner: z.string().optional(),
  qualifiedAt: isoOrNull,
  closedAt: isoOrNull,
  slaDueAt: isoOrNull.describe('when the response SLA runs out: registration + the playbook response hours (null until registered)'),
  slaBreached: z.boolean(),
  /** Registrations that name an account: its registry key and where the check stands (docs/accounts.md). */
  accountKey: z.string().optional(),
  accountCheck: z
    .enum(['pending', 'held', 'conflict', 'unchecked'])
    .optional()
    .describe('pending: the registry has not answered yet; held: no conflict; conflict: see conflictId; unchecked: counted without the registry'),
  conflictId: z.string().optional(),
});
export type OpportunityView = z.infer<typeof OpportunityView>;

export const CheckpointView = z.object({
  phase: Phase,
  dueAt: iso,
  outcome: CheckpointOutcome,
  gaps: z.array(z.string()),
  decidedAt: iso.optional(),
  decidedBy: z.string().optional(),
  note: z.string().optional(),
});
export type CheckpointView = z.infer<typeof CheckpointView>;

export const NotificationView = z.object({
  key: z.string(),
  channel: z.enum(['email', 'slack']),
  kind: z.string(),
  to: z.string(),
  at: iso,
  /** suppressed: the recipients' preferences turned it off; deferred: held back by quiet hours until `until`. */
  status: z.enum(['sent', 'failed', 'suppressed', 'deferred']),
  error: z.string().optional(),
  /** Why it was suppressed or held back, for some or all recipients. */
  reason: z.string().optional(),
  /** When it is requested again, for the recipients in quiet hours. */
  until: iso.optional(),
});
export type NotificationView = z.infer<typeof NotificationView>;

export const Indicators = z.object({
  timeToPortalAccessHours: z.number().nullable(),
  timeToFirstTrainingDays: z.number().nullable(),
  timeToFirstRegistrationDays: z.number().nullable(),
  timeToFirstEngagementDays: z.number().nullable(),
  timeToFirstDealDays: z.number().nullable(),
  certificationFirstAttemptPassed: z.boolean().nullable().describe("the primary role's certification, first attempt"),
  certificationFirstAttempts: z.record(z.string(), z.boolean()).describe("each of the partner's tracks: did the first attempt pass"),
  satisfactionScore: z.number().nullable(),
});
export type Indicators = z.infer<typeof Indicators>;

export const RejectedEvent = z.object({ eventId: z.string(), type: z.string(), reason: z.string(), at: iso });
export type RejectedEvent = z.infer<typeof RejectedEvent>;

export const OnboardingState = z.object({
  partnerId: z.string(),
  name: z.string(),
  segment: Segment,
  role: Role.describe('the primary role'),
  roles: z.array(Role).describe('every role, the primary one first'),
  phase: LifecyclePhase,
  health: Health,
  awaitingDecision: z.boolean(),
  day: z.number(),
  startedAt: iso,
  phaseDeadline: isoOrNull,
  extensions: z.number(),
  playbookVersion: z.string(),
  playbookHash: z.string().nullable().describe('sha256 of the pinned playbook as published; null when started before versions were published'),
  playbookMigrations: z
    .array(
      z.object({
        from: z.object({ version: z.string(), hash: z.string().nullable() }),
        to: z.object({ version: z.string(), hash: z.string() }),
        at: iso,
        by: z.string().optional(),
      }),
    )
    .describe('playbook migrations applied to this partner, oldest first'),
  partnerManager: z.object({ name: z.string(), email: z.string() }),
  successManager: z
    .object({ name: z.string(), email: z.string() })
    .nullable()
    .describe('takes the partner over at graduation (ongoing success management)'),
  tier: z.object({ id: z.string(), name: z.string() }).nullable().describe("the playbook's tier reached after graduation"),
  profileChanges: z
    .array(z.object({ at: iso, by: z.string(), fields: z.array(z.string()), reason: z.string().optional() }))
    .describe('who changed the profile, when, and what'),
  milestones: z.array(MilestoneView),
  opportunities: z.array(OpportunityView),
  checkpoints: z.array(CheckpointView),
  notifications: z.array(NotificationView),
  indicators: Indicators,
  rejectedEvents: z.array(RejectedEvent),
  graduatedAt: isoOrNull,
  offboardedAt: isoOrNull,
  nextReviewAt: isoOrNull,
  reviewsCompleted: z.number(),
  /** Conflicting registrations of the same account with other partners or the direct team (managers' eyes only). */
  conflicts: z.array(PartnerConflict),
});
export type OnboardingState = z.infer<typeof OnboardingState>;
