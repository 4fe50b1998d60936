/**
 * The typed client over @temporalio/client: what the API, the tests and any
 * system with access to Temporal use to drive onboardings. One workflow per
 * partner (`onboarding-<partnerId>`); events are signals; state is a query; lists
 * come from visibility only; the timeline is read from workflow history.
 */
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Playbook } from '../workflows/playbook';
import { initState, reportSummary, staticDetails, staticSummary } from '../workflows/domain';
import {
  SA_HEALTH,
  SA_MANAGER,
  SA_PHASE,
  SA_REPORT_AT,
  SA_SEGMENT,
  WORKFLOW_TYPE,
  acknowledgeOpportunityUpdate,
  decideCheckpointUpdate,
  onboardingStateQuery,
  onboardingWorkflowId,
  partnerEventSignal,
  updateProfileUpdate,
  waiveMilestoneUpdate,
} from '../workflows/messages';
import type { partnerOnboarding } from '../workflows/partnerOnboarding';
import { parseProfile, parseProfileChange, type AcknowledgeUpdate, type OnboardingState, type PartnerEvent, type PartnerProfile } from '../workflows/types';
import {
  MEMO_KEYS,
  type DecisionRequest,
  type EventsAccepted,
  type HealthReport,
  type ListQuery,
  type MigrationPage,
  type PartnerPage,
  type PlaybookDetail,
  type PlaybookSummary,
  type PublishResult,
  type StartResult,
  type Timeline,
  type WaiverRequest,
} from './apiTypes';
import { InvalidInputError, PartnerNotFoundError, ProfileConflictError, UpdateRefusedError } from './errors';
import { checkHealth } from './health';
import {
  getPlaybook,
  listPlaybooks,
  migrationPage,
  playbookHash,
  publishPlaybook,
  type MigrationOptions,
  type PlaybookStoreOptions,
} from './playbooks';
import { buildTimeline } from './timeline';
import { listPartners } from './visibility';

export interface OnboardingClientOptions {
  taskQueue: string;
  /** Pinned into every new onboarding, so later playbook changes never move running partners. */
  playbook: Playbook;
  /** Its content hash (client/playbooks.ts `playbookHash`); computed when absent. */
  playbookHash?: string;
}

/** A stable hash of a normalized profile: key order and unknown fields do not matter. */
export function profileHash(profile: PartnerProfile): string {
  const sortedKeys = (_key: string, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value;
  return createHash('sha256').update(JSON.stringify(profile, sortedKeys)).digest('hex');
}

/**
 * Starts an onboarding, idempotently per partnerId: `created: false` when the
 * same profile is already live; ProfileConflictError when a different one is.
 * Temporal guarantees one running workflow per id, so concurrent identical
 * starts yield exactly one `created: true`.
 */
export async function startOnboarding(client: Client, options: OnboardingClientOptions, input: unknown): Promise<StartResult> {
  const parsed = parseProfile(input);
  if (!parsed.ok) throw new InvalidInputError(parsed.errors);
  const profile = parsed.value;
  const start = onboardingStart(profile, options, Date.now());
  try {
    const handle = await client.workflow.start<typeof partnerOnboarding>(WORKFLOW_TYPE, start);
    return { partnerId: profile.partnerId, workflowId: start.workflowId, runId: handle.firstExecutionRunId, created: true };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  const live = await client.workflow.getHandle(start.workflowId).describe();
  if (live.memo?.[MEMO_KEYS.profileHash] !== start.memo[MEMO_KEYS.profileHash]) throw new ProfileConflictError(profile.partnerId);
  return { partnerId: profile.partnerId, workflowId: start.workflowId, runId: live.runId, created: false };
}

/**
 * How `startOnboarding` starts a partner's workflow at `now`: its arguments, the
 * start memo (the report summary among it) and the contract's search attributes,
 * so the partner is in lists and reports from the start, at no action. Tests and
 * benchmarks start partners with it too, the way the API does.
 */
export function onboardingStart(profile: PartnerProfile, options: OnboardingClientOptions, now: number) {
  const report = reportSummary(initState(profile, options.playbook, now), now);
  const pinned = { version: options.playbook.version, hash: options.playbookHash ?? playbookHash(options.playbook) };
  return {
    workflowId: onboardingWorkflowId(profile.partnerId),
    taskQueue: options.taskQueue,
    args: [profile, { playbook: options.playbook, playbookHash: pinned.hash }] as Parameters<typeof partnerOnboarding>,
    workflowIdConflictPolicy: 'FAIL' as const,
    // The Temporal UI shows the partner, not only an id (the workflow keeps its current details up to date).
    staticSummary: staticSummary(profile),
    staticDetails: staticDetails(profile, profile.contractSignedAt ? Date.parse(profile.contractSignedAt) : now),
    memo: {
      [MEMO_KEYS.partnerId]: profile.partnerId,
      [MEMO_KEYS.name]: profile.name,
      [MEMO_KEYS.profileHash]: profileHash(profile),
      [MEMO_KEYS.report]: report,
      [MEMO_KEYS.playbook]: pinned,
    },
    typedSearchAttributes: [
      { key: SA_PHASE, value: 'foundation' },
      { key: SA_SEGMENT, value: profile.segment },
      { key: SA_MANAGER, value: profile.partnerManager.email },
      { key: SA_HEALTH, value: 'on_track' },
      { key: SA_REPORT_AT, value: new Date(now) },
    ],
  };
}

export class OnboardingClient {
  private readonly options: OnboardingClientOptions & { playbookHash: string };
  private readonly store: PlaybookStoreOptions;

  constructor(
    private readonly client: Client,
    options: OnboardingClientOptions,
  ) {
    this.options = { ...options, playbookHash: options.playbookHash ?? playbookHash(options.playbook) };
    this.store = { taskQueue: options.taskQueue, currentHash: this.options.playbookHash };
  }

  start(profile: unknown): Promise<StartResult> {
    return startOnboarding(this.client, this.options, profile);
  }

  /** Signals each event, in order. The workflow validates and deduplicates them again. */
  sendEvents(partnerId: string, events: PartnerEvent[]): Promise<EventsAccepted> {
    return this.forPartner(partnerId, 'no live onboarding', async () => {
      const handle = this.client.workflow.getHandle(onboardingWorkflowId(partnerId));
      for (const event of events) await handle.signal(partnerEventSignal, event);
      return { partnerId, accepted: events.length, eventIds: events.map((e) => e.eventId) };
    });
  }

  /**
   * A checkpoint decision, as the `decideCheckpoint` Update: the new state, or
   * UpdateRefusedError with the workflow's reason (nothing is recorded then).
   * An eventId doubles as the Update id, so a retry answers with the first outcome.
   */
  decide(partnerId: string, request: DecisionRequest): Promise<OnboardingState> {
    return this.update(partnerId, decideCheckpointUpdate, request);
  }

  /** A per-partner milestone waiver, as the `waiveMilestone` Update. */
  waive(partnerId: string, request: WaiverRequest): Promise<OnboardingState> {
    return this.update(partnerId, waiveMilestoneUpdate, request);
  }

  /** A manager's answer to a registered opportunity, as the `acknowledgeOpportunity` Update. */
  acknowledge(partnerId: string, request: AcknowledgeUpdate): Promise<OnboardingState> {
    return this.update(partnerId, acknowledgeOpportunityUpdate, request);
  }

  private update<A extends DecisionRequest | WaiverRequest | AcknowledgeUpdate>(
    partnerId: string,
    update: UpdateDefinition<OnboardingState, [A]>,
    request: A,
  ): Promise<OnboardingState> {
    return this.forPartner(partnerId, 'no live onboarding', async () => {
      const handle = this.client.workflow.getHandle(onboardingWorkflowId(partnerId));
      try {
        return await handle.executeUpdate(update, { args: [request], ...(request.eventId ? { updateId: request.eventId } : {}) });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) {
          throw new UpdateRefusedError(partnerId, err.cause instanceof Error ? err.cause.message : err.message);
        }
        throw err;
      }
    });
  }

  /** Changes a running partner's profile (the `updateProfile` Update): the new state, or UpdateRefusedError with the reason. */
  updateProfile(partnerId: string, input: unknown): Promise<OnboardingState> {
    const parsed = parseProfileChange(input);
    if (!parsed.ok) throw new InvalidInputError(parsed.errors);
    return this.forPartner(partnerId, 'no live onboarding', async () => {
      try {
        return await this.client.workflow.getHandle(onboardingWorkflowId(partnerId)).executeUpdate(updateProfileUpdate, { args: [parsed.value] });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) {
          throw new UpdateRefusedError(partnerId, err.cause instanceof Error ? err.cause.message : err.message);
        }
        throw err;
      }
    });
  }

  state(partnerId: string): Promise<OnboardingState> {
    return this.forPartner(partnerId, 'no onboarding', () =>
      this.client.workflow.getHandle(onboardingWorkflowId(partnerId)).query(onboardingStateQuery),
    );
  }

  list(query: ListQuery = {}): Promise<PartnerPage> {
    return listPartners(this.client, query);
  }

  /** The audit trail; rejections come from ONE state query, cross-checked against the history. */
  timeline(partnerId: string): Promise<Timeline> {
    const workflowId = onboardingWorkflowId(partnerId);
    return this.forPartner(partnerId, 'no onboarding', async () => {
      const handle = this.client.workflow.getHandle(workflowId);
      const [description, state] = await Promise.all([handle.describe(), handle.query(onboardingStateQuery)]);
      return buildTimeline(this.client, { partnerId, workflowId, runId: description.runId }, state.rejectedEvents);
    });
  }

  /** Publishes a playbook version (idempotent; a different content under a published version id is a conflict). */
  publishPlaybook(playbook: unknown, publishedBy?: string): Promise<PublishResult> {
    return publishPlaybook(this.client, this.store, playbook, publishedBy);
  }

  async playbooks(): Promise<PlaybookSummary[]> {
    return listPlaybooks(this.client, this.store);
  }

  playbook(version: string): Promise<PlaybookDetail> {
    return getPlaybook(this.client, this.store, version);
  }

  /** One page of running partners moved to a published version, or previewed (dry run). */
  migrate(options: MigrationOptions): Promise<MigrationPage> {
    return migrationPage(this.client, this.store, options);
  }

  health(): Promise<HealthReport> {
    return checkHealth(this.client, this.options.taskQueue);
  }

  private async forPartner<T>(partnerId: string, detail: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new PartnerNotFoundError(partnerId, detail);
      throw err;
    }
  }
}
