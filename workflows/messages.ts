/**
 * Signal, query, Update and search-attribute definitions shared by the workflow,
 * the client, the API and the tests. No side effects: safe in the workflow bundle.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { MigrationApplied, MigrationPreview, MigrationRequest } from './migration';
import type { AcknowledgeUpdate, DecisionUpdate, OnboardingState, WaiverUpdate } from './types';

export const WORKFLOW_TYPE = 'partnerOnboarding';
export const DEFAULT_TASK_QUEUE = 'partner-onboarding';

/** One `PartnerEvent`; validated inside the workflow, never trusted. */
export const partnerEventSignal = defineSignal<[unknown]>('partnerEvent');
export const onboardingStateQuery = defineQuery<OnboardingState>('onboardingState');
/** A `ProfileChange` (validated in the workflow, never trusted); answers the new state, or is refused with the reason. */
export const updateProfileUpdate = defineUpdate<OnboardingState, [unknown]>('updateProfile');

/**
 * Playbook migration (./domain/migrate.ts): the dry run is a query (no history),
 * the migration an Update whose validator refuses what cannot apply.
 */
export const previewMigrationQuery = defineQuery<MigrationPreview, [MigrationRequest]>('previewMigration');
export const migratePlaybookUpdate = defineUpdate<MigrationApplied, [MigrationRequest]>('migratePlaybook');

/** Memo key of the pinned playbook's `{ version, hash }`: written at start, upserted by a migration. */
export const PLAYBOOK_MEMO_KEY = 'playbook';

/** One long-lived workflow per published playbook version (./playbookVersion.ts). */
export const PLAYBOOK_VERSION_WORKFLOW_TYPE = 'playbookVersion';
export function playbookVersionWorkflowId(version: string): string {
  return `playbook-${version}`;
}

/**
 * Humans decide through Updates: the caller gets the new state, or the reason
 * it was refused, at once; a refused Update (its validator throws) leaves no
 * event in the history. The same rules as the `checkpoint_decision` and
 * `milestone_waived` events, which systems may still signal.
 */
export const decideCheckpointUpdate = defineUpdate<OnboardingState, [DecisionUpdate]>('decideCheckpoint');
export const waiveMilestoneUpdate = defineUpdate<OnboardingState, [WaiverUpdate]>('waiveMilestone');
/** A manager's answer to a registered opportunity (stops its SLA clock): refused for an unknown opportunity. */
export const acknowledgeOpportunityUpdate = defineUpdate<OnboardingState, [AcknowledgeUpdate]>('acknowledgeOpportunity');

export const SA_PHASE = defineSearchAttributeKey('OnboardingPhase', SearchAttributeType.KEYWORD);
export const SA_SEGMENT = defineSearchAttributeKey('PartnerSegment', SearchAttributeType.KEYWORD);
export const SA_MANAGER = defineSearchAttributeKey('PartnerManager', SearchAttributeType.KEYWORD);
export const SA_HEALTH = defineSearchAttributeKey('OnboardingHealth', SearchAttributeType.KEYWORD);
/**
 * When the partner's report summary (memo `report`) last changed: the report's
 * projection reads only the partners changed since its last sync (docs/reports.md).
 */
export const SA_REPORT_AT = defineSearchAttributeKey('OnboardingReportAt', SearchAttributeType.DATETIME);

/** Our search attributes: the one list servers register and tests use. */
export const SEARCH_ATTRIBUTE_KEYS = [SA_PHASE, SA_SEGMENT, SA_MANAGER, SA_HEALTH, SA_REPORT_AT] as const;

/** The type names the Temporal CLI takes (`--search-attribute Name=Type`, `--type Type`). */
export const SEARCH_ATTRIBUTE_TYPE_NAMES: Partial<Record<SearchAttributeType, string>> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.DATETIME]: 'Datetime',
};

/** Memo key of a digest manager's partner entry (workflows/digestEntry.ts), read by the manager digest. */
export const DIGEST_MEMO_KEY = 'digest';

/** Business key -> workflow id: one live onboarding per partner. */
export function onboardingWorkflowId(partnerId: string): string {
  return `onboarding-${partnerId}`;
}
