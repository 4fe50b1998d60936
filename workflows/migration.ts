/**
 * Playbook versions and migration: what the client asks a running partner
 * (`previewMigration` query, `migratePlaybook` Update) and what the partner
 * answers (`MigrationDiff`), defined once. The rules themselves are the pure
 * domain's (./domain/migrate.ts); docs/playbook.md explains them.
 *
 * The workflow imports this module for its types only: its schemas are never
 * evaluated in the workflow bundle. The API generates its OpenAPI document from them.
 */
import { z } from 'zod';
import type { Playbook } from './playbook';
import type { OnboardingState } from './onboardingState';
import { Health, LifecyclePhase, Phase, Segment } from './types';

/** A published version's id: the playbook's `version`, also part of URLs and workflow ids. */
export const PLAYBOOK_VERSION_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** What a running partner is asked to move to. The API sends only published, validated versions. */
export interface MigrationRequest {
  playbook: Playbook;
  /** sha256 of the playbook's canonical JSON (client/playbooks.ts `playbookHash`). */
  hash: string;
  /** Who asked (shown in the partner's state). */
  by?: string;
  /** Preconditions: refused, and nothing written, when the partner no longer matches. */
  expect?: { segment?: z.infer<typeof Segment>; fromVersion?: string };
}

/** Why a migration is refused; a refused Update writes no history. */
export const MigrationRefusal = z.enum(['unchanged', 'offboarded', 'precondition_failed', 'invalid_playbook']);
export type MigrationRefusal = z.infer<typeof MigrationRefusal>;

const iso = z.string().describe('ISO-8601 date-time');
/** A moment in the plan: its date and its day counted from the contract signature. */
const PlanMoment = z.object({ at: iso, day: z.number().int() });

export const PlaybookRef = z.object({
  version: z.string(),
  hash: z.string().nullable().describe('null for partners started before versions were published'),
});
export type PlaybookRef = z.infer<typeof PlaybookRef>;

/** How a due date or a deadline was set (docs/playbook.md, "Migrating running partners"). */
export const DueRule = z
  .enum(['as_planned', 'next_day', 'kept_overdue', 'checkpoint_kept', 'waived_phase_passed', 'already_done'])
  .describe(
    'as_planned: the new version\'s date; next_day: the new date was in the past, ' +
      'so it is the next day of the plan; kept_overdue: it was overdue and stays due when it was (never more overdue); ' +
      'checkpoint_kept: the checkpoint already waits for a decision, its deadline stays; waived_phase_passed: it belongs to a phase ' +
      'the partner has left, so it is waived; already_done: completed before',
  );
export type DueRule = z.infer<typeof DueRule>;

const MilestoneStatusAfter = z.enum(['pending', 'overdue', 'done', 'waived']);

export const MigrationDiff = z.object({
  partnerId: z.string(),
  segment: Segment,
  from: PlaybookRef,
  to: PlaybookRef,
  phase: z.object({ from: LifecyclePhase, to: LifecyclePhase }),
  health: z.object({ from: Health, to: Health }),
  milestones: z.object({
    added: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        phase: Phase,
        required: z.boolean(),
        due: PlanMoment,
        status: MilestoneStatusAfter,
        rule: DueRule,
      }),
    ),
    removed: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        phase: Phase,
        status: MilestoneStatusAfter.describe('its status when removed; a done one stays in the partner\'s record'),
      }),
    ),
    moved: z
      .array(z.object({ id: z.string(), title: z.string(), phase: Phase, from: PlanMoment, to: PlanMoment, rule: DueRule }))
      .describe('open milestones whose due date changes'),
    changed: z.array(
      z.object({
        id: z.string(),
        required: z.object({ from: z.boolean(), to: z.boolean() }).optional(),
        phase: z.object({ from: Phase, to: Phase }).optional(),
        title: z.object({ from: z.string(), to: z.string() }).optional(),
      }),
    ),
    kept: z.array(z.string()).describe('done or waived milestones that stay done or waived'),
  }),
  deadlines: z
    .array(z.object({ phase: Phase, from: PlanMoment, to: PlanMoment, rule: DueRule }))
    .describe('phase deadlines (the current phase and later ones) that move'),
  checkpoint: z
    .object({
      phase: Phase,
      after: z.enum(['withdrawn', 'waiting', 'passed']),
      gaps: z.array(z.string()),
    })
    .nullable()
    .describe('what happens to a checkpoint awaiting a decision'),
  reviews: z.object({ from: iso.nullable(), to: iso.nullable() }).nullable().describe('the next business review, when it moves'),
  notificationsSkipped: z
    .array(z.string())
    .describe('keys of notifications the new version would have sent before the migration: never sent'),
});
export type MigrationDiff = z.infer<typeof MigrationDiff>;

/** The `previewMigration` query's answer: the diff, or why the Update would be refused. */
export type MigrationPreview = { ok: true; diff: MigrationDiff } | { ok: false; code: MigrationRefusal; reason: string };

/** The `migratePlaybook` Update's answer: the applied diff and the new state. */
export interface MigrationApplied {
  diff: MigrationDiff;
  state: OnboardingState;
}
