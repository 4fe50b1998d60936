/**
 * The shapes the typed client returns and the HTTP API serves, as zod schemas
 * (the OpenAPI document is generated from them) and the types inferred from them.
 * Request shapes reuse the contract's schemas from ../workflows/types.
 */
import { rawTimeZones, timeZonesNames } from '@vvo/tzdb';
import { z } from 'zod';
import {
  CheckpointDecision,
  Email,
  Health,
  LifecyclePhase,
  Manager,
  MilestoneWaiver,
  PARTNER_ID_PATTERN,
  PartnerProfile,
  Phase,
  ProfileChange,
  Segment,
} from '../workflows/types';
import { REPORT_MEMO_KEY } from '../workflows/report';
import { PreferencesChange, QuietHours } from '../workflows/preferences';
import { PLAYBOOK_MEMO_KEY } from '../workflows/messages';
import { MigrationDiff, PLAYBOOK_VERSION_PATTERN } from '../workflows/migration';
import { PlaybookSchema } from '../workflows/playbook';

/** Memo keys written at start; list summaries and reports read them back from visibility. */
export const MEMO_KEYS = {
  partnerId: 'partnerId',
  name: 'name',
  profileHash: 'profileHash',
  report: REPORT_MEMO_KEY,
  playbook: PLAYBOOK_MEMO_KEY,
} as const;

const iso = z.string().describe('ISO-8601 date-time');
const isoOrNull = iso.nullable();

/** The contract's OnboardingState, defined once in the workflow's contract. */
export { OnboardingState } from '../workflows/onboardingState';

// ---------------------------------------------------------------------------
// Requests beyond the contract's PartnerProfile / PartnerEvent
// ---------------------------------------------------------------------------

const idempotencyKey = z
  .string()
  .min(1)
  .max(128)
  .optional()
  .describe('idempotency key: the same eventId again answers with the first outcome (and a signal with it is a repeat)');

/** A checkpoint decision, run as the `decideCheckpoint` Update. */
export const DecisionRequest = CheckpointDecision.extend({ eventId: idempotencyKey });
export type DecisionRequest = z.infer<typeof DecisionRequest>;

/** A per-partner milestone waiver, run as the `waiveMilestone` Update. */
export const WaiverRequest = MilestoneWaiver.extend({ eventId: idempotencyKey });
export type WaiverRequest = z.infer<typeof WaiverRequest>;

/** True when this process's Intl (its ICU data) knows the zone: partner nudges are timed with it. */
function knownToIntl(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The IANA time zone names the API accepts, declared as an enum in the OpenAPI
 * document: the zones of the IANA database with their links (@vvo/tzdb), the
 * names this Node's ICU lists, and UTC; each one that Intl can use. The
 * document and the validation share this list, so they cannot disagree.
 */
export const TIME_ZONES: readonly string[] = [
  ...new Set([
    'UTC',
    'Etc/UTC',
    ...timeZonesNames,
    ...rawTimeZones.flatMap((zone) => zone.group),
    ...Intl.supportedValuesOf('timeZone'),
  ]),
]
  .filter(knownToIntl)
  .sort();

export const TimeZoneName = z
  .string()
  .refine((zone) => TIME_ZONES.includes(zone), {
    error: (issue) => {
      const zone = typeof issue.input === 'string' && knownToIntl(issue.input) ? issue.input : null;
      const canonical = zone ? new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone : null;
      return canonical && TIME_ZONES.includes(canonical)
        ? `must be an IANA time zone name as listed in /openapi.json: use ${canonical}`
        : 'must be an IANA time zone name, e.g. Europe/Berlin (the list is in /openapi.json)';
    },
  })
  .meta({ enum: [...TIME_ZONES] })
  .describe('an IANA time zone name');

/**
 * A PartnerProfile and a ProfileChange as the API takes them: the contract's
 * schemas with the time zones declared as the list of names (the workflow
 * itself also tolerates other names Intl resolves, such as those of older runs).
 */
const ManagerRequest = Manager.safeExtend({ timezone: TimeZoneName.optional() });
export const ProfileRequest = PartnerProfile.safeExtend({
  timezone: TimeZoneName.optional(),
  partnerManager: ManagerRequest,
  successManager: ManagerRequest.optional(),
});
export const ProfileChangeRequest = ProfileChange.safeExtend({
  timezone: TimeZoneName.optional(),
  partnerManager: ManagerRequest.optional(),
  successManager: ManagerRequest.nullable().optional(),
});

/** A preferences change as the API takes it: the quiet hours' time zone declared as the same list of names. */
export const PreferencesChangeRequest = PreferencesChange.safeExtend({
  quietHours: QuietHours.safeExtend({ timezone: TimeZoneName }).nullable().optional(),
});

/** What Slack posts to POST /v1/slack/interactions: a form with one field, the interaction as JSON. */
export const SlackInteraction = z.object({
  payload: z.string().describe('the interaction payload as JSON (type block_actions, user, actions, response_url, …)'),
});

export const PartnerIdParam = z.object({
  partnerId: z.string().regex(PARTNER_ID_PATTERN, { message: 'must match [A-Za-z0-9._-]{1,64}' }),
});

/** `<Temporal's token, base64url>.<checksum binding it to the filters>` (client/visibility.ts). */
export const PAGE_TOKEN_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/;

export const ListQuery = z.object({
  phase: LifecyclePhase.optional(),
  segment: Segment.optional(),
  manager: Email.optional(),
  health: Health.optional(),
  q: z
    .string()
    .regex(PARTNER_ID_PATTERN, { message: 'must be the start of a partner id: [A-Za-z0-9._-]{1,64}' })
    .optional()
    .describe('search: partners whose id starts with this (case-sensitive)'),
  pageSize: z.coerce.number().int().min(1).max(100).optional(),
  pageToken: z
    .string()
    .max(2048)
    .regex(PAGE_TOKEN_PATTERN, { message: 'must be a nextPageToken from a previous answer' })
    .optional()
    .describe(
      'the nextPageToken of the previous page, with the same filters; a well-formed token that names no page of this ' +
        'listing (from other filters, or no longer known to Temporal) answers 404',
    ),
});
export type ListQuery = z.infer<typeof ListQuery>;

export const ReportQuery = z.object({
  segment: Segment.optional(),
  manager: Email.optional(),
  startMonth: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'must be a month as YYYY-MM, e.g. 2026-11' })
    .optional()
    .describe('only partners whose contract was signed in this month (UTC)'),
});
export type ReportQuery = z.infer<typeof ReportQuery>;

const versionId = z.string().regex(PLAYBOOK_VERSION_PATTERN, { message: 'must match [A-Za-z0-9._-]{1,64}' });

export const PlaybookVersionParam = z.object({ version: versionId });

/** POST /v1/playbooks/{version}/migrations: one page of running partners, previewed or migrated. */
export const MigrationRequestBody = z.strictObject({
  dryRun: z.boolean().describe('true: show what would change (one query per partner, no history); false: migrate (one Update per partner)'),
  segment: Segment.optional().describe('only partners of this segment'),
  fromVersion: versionId.optional().describe('only partners on this playbook version'),
  pageSize: z.number().int().min(1).max(100).optional().describe('partners per page (default 50)'),
  pageToken: z.string().min(1).max(2048).optional().describe('nextPageToken of the previous page, with the same filters'),
  by: z.string().min(1).max(200).optional().describe('who migrates (recorded in each partner\'s state)'),
});
export type MigrationRequestBody = z.infer<typeof MigrationRequestBody>;

// ---------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------

export const StartResult = z.object({
  partnerId: z.string(),
  workflowId: z.string(),
  runId: z.string(),
  created: z.boolean().describe('false when the same profile was already onboarding (idempotent start)'),
});
export type StartResult = z.infer<typeof StartResult>;

export const EventsAccepted = z.object({
  partnerId: z.string(),
  accepted: z.number().int().describe('events delivered to the workflow (each is still checked there)'),
  eventIds: z.array(z.string()),
});
export type EventsAccepted = z.infer<typeof EventsAccepted>;

export const ExecutionStatus = z.enum(['running', 'completed', 'failed', 'canceled', 'terminated', 'timed_out', 'unknown']);
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;

export const PartnerSummary = z.object({
  partnerId: z.string(),
  name: z.string().nullable(),
  workflowId: z.string(),
  runId: z.string(),
  status: ExecutionStatus,
  phase: z.string().nullable(),
  segment: z.string().nullable(),
  manager: z.string().nullable(),
  health: z.string().nullable(),
  startedAt: isoOrNull,
  closedAt: isoOrNull,
  contractSignedAt: isoOrNull.describe("day 0 of the partner's plan (from the report memo; null for workflows started without it)"),
});
export type PartnerSummary = z.infer<typeof PartnerSummary>;

export const PartnerPage = z.object({
  partners: z.array(PartnerSummary),
  nextPageToken: z.string().nullable().describe('pass as pageToken for the next page; null on the last page'),
});
export type PartnerPage = z.infer<typeof PartnerPage>;

/** How the workflow treated a signalled event (cross-checked with the state's rejectedEvents). */
export const EventOutcome = z.enum(['accepted', 'rejected', 'duplicate']);
export type EventOutcome = z.infer<typeof EventOutcome>;

const at = { at: iso, runId: z.string() };
const Via = z.enum(['signal', 'update']).optional().describe('how it reached the workflow (absent: a signal)');

export const TimelineEntry = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('started'), ...at }),
  z.object({
    kind: z.literal('event'),
    ...at,
    eventId: z.string().nullable(),
    type: z.string().nullable(),
    occurredAt: iso.optional(),
    data: z.unknown().optional(),
    outcome: EventOutcome,
    reason: z.string().optional(),
    via: Via,
  }),
  z.object({
    kind: z.literal('decision'),
    ...at,
    eventId: z.string(),
    decision: CheckpointDecision,
    outcome: EventOutcome,
    reason: z.string().optional(),
    via: Via,
  }),
  z.object({
    kind: z.literal('notification'),
    ...at,
    key: z.string(),
    notificationKind: z.string(),
    channel: z.string(),
    to: z.array(z.string()),
    /** suppressed: the recipients' preferences turned it off; deferred: held back by their quiet hours until `until`. */
    status: z.enum(['pending', 'sent', 'failed', 'suppressed', 'deferred']),
    completedAt: iso.optional(),
    error: z.string().optional(),
    /** Why it was suppressed or held back, for some or all recipients (e.g. `1 of 2 recipients: unsubscribed`). */
    reason: z.string().optional(),
    /** When it is requested again for the recipients in quiet hours. */
    until: iso.optional(),
  }),
  z.object({ kind: z.literal('status_changed'), ...at, phase: z.string().optional(), health: z.string().optional() }),
  z.object({
    kind: z.literal('profile_changed'),
    ...at,
    by: z.string().describe('who made the change'),
    fields: z.array(z.string()).describe('the profile fields the change set'),
    reason: z.string().optional(),
  }),
  z.object({
    kind: z.literal('playbook_migrated'),
    ...at,
    to: z.object({ version: z.string(), hash: z.string() }),
    from: z
      .object({ version: z.string(), hash: z.string().nullable() })
      .optional()
      .describe('the version the partner left (once the Update completed)'),
    by: z.string().optional().describe('who asked for the migration'),
    milestonesAdded: z.array(z.string()).optional(),
    milestonesRemoved: z.array(z.string()).optional(),
  }),
  z.object({
    kind: z.literal('account_conflict'),
    ...at,
    conflictId: z.string().describe('`<account key>#<n>` (docs/accounts.md)'),
    account: z.string().describe('the account key'),
    stage: z.enum(['flagged', 'resolved']),
    role: z.enum(['holder', 'challenger']).describe("this partner's side"),
    outcome: z.enum(['kept', 'rejected', 'awaiting_decision', 'won', 'lost']),
    rule: z.enum(['first_registration_wins', 'manager_decides']),
    opportunityIds: z.array(z.string()).describe("this partner's registrations the conflict is about"),
    other: z.string().describe('the other side: a partnerId, or `direct` (our direct team)'),
    decidedBy: z.string().optional(),
  }),
  z.object({ kind: z.literal('continued_as_new'), ...at, newRunId: z.string() }),
  z.object({ kind: z.literal('closed'), ...at, status: ExecutionStatus }),
]);
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const Timeline = z.object({
  partnerId: z.string(),
  workflowId: z.string(),
  runIds: z.array(z.string()).describe('the continue-as-new chain, oldest first'),
  entries: z.array(TimelineEntry),
});
export type Timeline = z.infer<typeof Timeline>;

export const HealthReport = z.object({
  status: z.enum(['ok', 'unavailable']),
  temporal: z.object({ reachable: z.boolean(), namespace: z.string(), error: z.string().optional() }),
  worker: z.object({
    taskQueue: z.string(),
    workflowPollers: z.number().int(),
    activityPollers: z.number().int(),
    lastSeenAt: isoOrNull,
  }),
});
export type HealthReport = z.infer<typeof HealthReport>;

// ---------------------------------------------------------------------------
// Playbook versions and migration
// ---------------------------------------------------------------------------

export const PlaybookSummary = z.object({
  version: z.string(),
  hash: z.string().describe("sha256 of the playbook's canonical JSON (object keys sorted)"),
  publishedAt: iso,
  publishedBy: z.string().nullable(),
  current: z.boolean().describe('the playbook this API starts new partners with (PLAYBOOK_PATH)'),
  segments: z.record(
    Segment,
    z.object({ days: z.number().int(), milestones: z.number().int(), required: z.number().int() }),
  ),
});
export type PlaybookSummary = z.infer<typeof PlaybookSummary>;

export const PlaybookList = z.object({ versions: z.array(PlaybookSummary).describe('newest first') });
export type PlaybookList = z.infer<typeof PlaybookList>;

export const PublishResult = PlaybookSummary.extend({
  created: z.boolean().describe('false when the same content was already published under this version'),
});
export type PublishResult = z.infer<typeof PublishResult>;

export const PlaybookDetail = PlaybookSummary.extend({ playbook: PlaybookSchema });
export type PlaybookDetail = z.infer<typeof PlaybookDetail>;

export const MigrationOutcome = z
  .enum(['would_migrate', 'migrated', 'unchanged', 'skipped', 'refused', 'failed'])
  .describe(
    'would_migrate (dry run) and migrated come with the diff; unchanged: already on the version; skipped: not on fromVersion, ' +
      'or no longer of the segment; refused: the workflow refused (reason), e.g. offboarded; failed: Temporal did not answer',
  );
export type MigrationOutcome = z.infer<typeof MigrationOutcome>;

export const MigrationResult = z.object({
  partnerId: z.string(),
  outcome: MigrationOutcome,
  diff: MigrationDiff.optional(),
  digest: z.string().optional().describe("a fingerprint of the diff: a partner's dry run and migration match when theirs do"),
  reason: z.string().optional(),
});
export type MigrationResult = z.infer<typeof MigrationResult>;

export const MigrationPage = z.object({
  version: z.string(),
  hash: z.string(),
  dryRun: z.boolean(),
  partners: z.array(MigrationResult),
  nextPageToken: z.string().nullable().describe('pass as pageToken for the next page; null on the last page'),
  temporalActions: z
    .object({ queries: z.number().int(), updates: z.number().int() })
    .describe('billed Temporal actions this page cost: one query (dry run) or one Update per partner asked'),
});
export type MigrationPage = z.infer<typeof MigrationPage>;

export const ApiError = z.object({
  error: z.string().describe('machine-readable code, e.g. validation_failed, not_found, conflict'),
  message: z.string(),
  fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  requestId: z.string(),
});
export type ApiError = z.infer<typeof ApiError>;

// ---------------------------------------------------------------------------
// The onboarding report (GET /v1/reports/onboarding), aggregated from the
// partners' `report` memos in visibility
// ---------------------------------------------------------------------------

const Target = z.object({ op: z.enum(['<', '>']), value: z.number() });

export const Indicator = z.object({
  value: z.number().nullable().describe('null when no partner contributes yet'),
  unit: z.enum(['hours', 'days', 'ratio', 'score']),
  target: Target.nullable().describe("the seed's target; null when there is none to compare with"),
  met: z.boolean().nullable().describe('value compared with the target; null without a value or a target'),
  n: z.number().int().describe('partners (or opportunities) the value is computed from'),
});
export type Indicator = z.infer<typeof Indicator>;

export const LeadingIndicator = Indicator.extend({
  p90: z.number().nullable(),
  shareMeetingTarget: z
    .number()
    .nullable()
    .describe('reached within the target, among partners who reached it or are already past the target without it'),
});
export type LeadingIndicator = z.infer<typeof LeadingIndicator>;

const MilestoneCount = z.object({
  milestoneId: z.string(),
  title: z.string().describe("the milestone's title in the playbook the API starts partners with (the id when it has none)"),
  partners: z.number().int(),
});
export type MilestoneCount = z.infer<typeof MilestoneCount>;

export const OnboardingReport = z.object({
  generatedAt: iso,
  filter: ReportQuery,
  partners: z.number().int().describe('partners with a report summary in visibility'),
  unprojected: z.number().int().describe('onboardings listed without a (valid) report summary, e.g. not yet published'),
  byPhase: z.record(LifecyclePhase, z.number().int()),
  byHealth: z.record(Health, z.number().int()),
  leading: z.object({
    timeToPortalAccessHours: LeadingIndicator,
    timeToFirstTrainingDays: LeadingIndicator,
    timeToFirstRegistrationDays: LeadingIndicator,
    timeToFirstEngagementDays: LeadingIndicator,
  }),
  lagging: z.object({
    completionRate: Indicator,
    activationRate: Indicator,
    timeToFirstDealDays: Indicator,
    satisfaction: Indicator,
  }),
  quality: z.object({
    certificationFirstAttemptPassRate: Indicator,
    opportunityQualificationRate: Indicator,
    dealCycleDays: Indicator,
  }),
  funnel: z.array(
    z.object({
      phase: Phase,
      current: z.number().int().describe('partners in this phase now'),
      stalls: z.array(MilestoneCount).describe('milestones overdue now or completed late, most frequent first'),
    }),
  ),
  topBottleneck: MilestoneCount.extend({ phase: Phase }).nullable(),
  atRisk: z.object({
    total: z.number().int(),
    partners: z.array(z.object({ partnerId: z.string(), name: z.string().nullable(), manager: z.string(), phase: LifecyclePhase })),
  }),
  source: z.object({
    pages: z.number().int().describe('ListWorkflowExecutions pages read'),
    memoBytes: z.number().int().describe('report memo bytes decoded'),
  }),
});
export type OnboardingReport = z.infer<typeof OnboardingReport>;
