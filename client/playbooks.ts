/**
 * Playbook versions and migration, over Temporal only (so every API and worker
 * instance sees the same versions):
 * - a published version is one long-lived `playbookVersion` workflow
 *   (`playbook-<version>`) whose start input holds the content; Temporal's one
 *   running workflow per id makes publishing race-free, and a different content
 *   under an existing version id is refused;
 * - versions are listed from visibility (memo: hash, date, segment summary), the
 *   content is read from the start event of the history (no query: free);
 * - a migration lists running partners from visibility and asks each one, one
 *   page at a time: a `previewMigration` query for a dry run (one billed action
 *   per partner, no history), the `migratePlaybook` Update otherwise.
 */
import { createHash } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { canonicalJson } from '../workflows/domain';
import {
  PLAYBOOK_MEMO_KEY,
  PLAYBOOK_VERSION_WORKFLOW_TYPE,
  SA_SEGMENT,
  WORKFLOW_TYPE,
  migratePlaybookUpdate,
  playbookVersionWorkflowId,
  previewMigrationQuery,
} from '../workflows/messages';
import type { MigrationPreview, MigrationRefusal, MigrationRequest } from '../workflows/migration';
import { parsePlaybook, type Playbook } from '../workflows/playbook';
import type { playbookVersion, PlaybookVersionInput } from '../workflows/playbookVersion';
import type { Segment } from '../workflows/types';
import type { MigrationOutcome, MigrationPage, PlaybookDetail, PlaybookSummary, PublishResult } from './apiTypes';
import { decodeMemo, decodePayloads } from './decode';
import { diffDigest } from './migrationDigest';
import { InvalidInputError, PlaybookConflictError, PlaybookNotFoundError } from './errors';
import { decodePageToken, encodePageToken, literal } from './visibility';

/** sha256 (hex) of the playbook's canonical JSON: the same content has the same hash, whatever its key order. */
export function playbookHash(playbook: Playbook): string {
  return createHash('sha256').update(canonicalJson(playbook)).digest('hex');
}

/** What the version's memo holds: enough to list versions without reading their content. */
interface VersionMemo {
  version: string;
  hash: string;
  publishedAt: string;
  publishedBy: string | null;
  segments: PlaybookSummary['segments'];
}

function versionMemo(input: PlaybookVersionInput): VersionMemo {
  const segments = Object.fromEntries(
    Object.entries(input.playbook.segments).map(([segment, plan]) => [
      segment,
      {
        days: plan.phaseDays.foundation + plan.phaseDays.activation + plan.phaseDays.momentum,
        milestones: plan.milestones.length,
        required: plan.milestones.filter((m) => m.requiredAtCheckpoint).length,
      },
    ]),
  ) as PlaybookSummary['segments'];
  return { version: input.playbook.version, hash: input.hash, publishedAt: input.publishedAt, publishedBy: input.publishedBy ?? null, segments };
}

const VERSION_MEMO_KEY = 'playbookVersion';

export interface PlaybookStoreOptions {
  taskQueue: string;
  /** The playbook this instance starts new partners with (marked `current` in lists). */
  currentHash?: string;
}

/** Parses and validates a playbook, or throws InvalidInputError naming every invalid field. */
export function validPlaybook(raw: unknown): Playbook {
  const parsed = parsePlaybook(raw);
  if (!parsed.ok) throw new InvalidInputError(parsed.errors);
  return parsed.value;
}

/**
 * Publishes a playbook: 201-like `created: true` the first time, `created: false`
 * for the same content again; PlaybookConflictError for a different content
 * under a version id that is already published.
 */
export async function publishPlaybook(
  client: Client,
  options: PlaybookStoreOptions,
  raw: unknown,
  publishedBy?: string,
): Promise<PublishResult> {
  const playbook = validPlaybook(raw);
  const hash = playbookHash(playbook);
  const input: PlaybookVersionInput = {
    playbook,
    hash,
    publishedAt: new Date().toISOString(),
    ...(publishedBy ? { publishedBy } : {}),
  };
  const workflowId = playbookVersionWorkflowId(playbook.version);
  try {
    await client.workflow.start<typeof playbookVersion>(PLAYBOOK_VERSION_WORKFLOW_TYPE, {
      workflowId,
      taskQueue: options.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
      memo: { [VERSION_MEMO_KEY]: versionMemo(input) },
      staticSummary: `Playbook ${playbook.version} (${hash.slice(0, 12)})`,
    });
    return { ...summaryOf(versionMemo(input), options), created: true };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  const existing = await describeVersion(client, playbook.version);
  if (existing.memo.hash !== hash) throw new PlaybookConflictError(playbook.version, existing.memo.hash, hash);
  return { ...summaryOf(existing.memo, options), created: false };
}

function summaryOf(memo: VersionMemo, options: PlaybookStoreOptions): PlaybookSummary {
  return { ...memo, current: memo.hash === options.currentHash };
}

async function describeVersion(client: Client, version: string): Promise<{ memo: VersionMemo; runId: string }> {
  try {
    const description = await client.workflow.getHandle(playbookVersionWorkflowId(version)).describe();
    const memo = description.memo?.[VERSION_MEMO_KEY] as VersionMemo | undefined;
    if (description.status.name !== 'RUNNING' || !memo) throw new PlaybookNotFoundError(version);
    return { memo, runId: description.runId };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new PlaybookNotFoundError(version);
    throw err;
  }
}

/** Every published version (running version workflows on this task queue), newest first. */
export async function listPlaybooks(client: Client, options: PlaybookStoreOptions): Promise<PlaybookSummary[]> {
  const query = [
    `WorkflowType = ${literal(PLAYBOOK_VERSION_WORKFLOW_TYPE)}`,
    `ExecutionStatus = 'Running'`,
    `TaskQueue = ${literal(options.taskQueue)}`,
  ].join(' AND ');
  const versions: PlaybookSummary[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      query,
      pageSize: 1000,
      nextPageToken,
    });
    for (const info of page.executions) {
      const memo = (await decodeMemo(client.options.loadedDataConverter, info.memo?.fields))[VERSION_MEMO_KEY] as VersionMemo | undefined;
      if (memo) versions.push(summaryOf(memo, options));
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return versions.sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : a.publishedAt > b.publishedAt ? -1 : 0));
}

/** Contents by run id: a published version never changes. */
const contents = new Map<string, Playbook>();

/** A published version with its content, re-validated and checked against its hash. */
export async function getPlaybook(client: Client, options: PlaybookStoreOptions, version: string): Promise<PlaybookDetail> {
  const { memo, runId } = await describeVersion(client, version);
  let playbook = contents.get(runId);
  if (!playbook) {
    const { history } = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId: playbookVersionWorkflowId(version), runId },
      maximumPageSize: 1,
    });
    const started: temporal.api.history.v1.IWorkflowExecutionStartedEventAttributes | null | undefined =
      history?.events?.[0]?.workflowExecutionStartedEventAttributes;
    const [input] = (await decodePayloads(client.options.loadedDataConverter, started?.input?.payloads)) as [PlaybookVersionInput?];
    const parsed = parsePlaybook(input?.playbook);
    if (!parsed.ok || playbookHash(parsed.value) !== memo.hash) {
      throw new Error(`published playbook ${version} does not match its hash ${memo.hash}; republish it under a new version`);
    }
    playbook = parsed.value;
    contents.set(runId, playbook);
  }
  return { ...summaryOf(memo, options), playbook };
}

/** PLAYBOOK_PATH's version is published with other content: a configuration error, in one line. */
export class CurrentPlaybookConflictError extends Error {
  override name = 'CurrentPlaybookConflictError';
}

/**
 * Publishes the playbook this instance starts partners with (PLAYBOOK_PATH), at
 * start. Idempotent; a different content under its version id is an error the
 * operator must fix (a new version id), so the caller stops with one line.
 */
export async function publishCurrentPlaybook(client: Client, options: PlaybookStoreOptions, playbook: Playbook): Promise<PublishResult> {
  try {
    return await publishPlaybook(client, options, playbook, 'PLAYBOOK_PATH at start');
  } catch (err) {
    if (err instanceof PlaybookConflictError) {
      throw new CurrentPlaybookConflictError(
        `PLAYBOOK_PATH: playbook version ${err.version} is already published with other content (sha256 ${err.publishedHash.slice(0, 12)}, ` +
          `this one ${err.attemptedHash.slice(0, 12)}); give the changed playbook a new version`,
      );
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------
// Migration
// ---------------------------------------------------------------------------

export interface MigrationOptions {
  version: string;
  dryRun: boolean;
  segment?: Segment;
  /** Only partners on this version. */
  fromVersion?: string;
  pageSize?: number;
  pageToken?: string;
  by?: string;
}

const DEFAULT_MIGRATION_PAGE = 50;
/** Partners asked at the same time. */
const CONCURRENCY = 8;

/** Running onboardings of this task queue, optionally of one segment. */
function partnersQuery(taskQueue: string, segment: Segment | undefined): string {
  return [
    `WorkflowType = ${literal(WORKFLOW_TYPE)}`,
    `ExecutionStatus = 'Running'`,
    `TaskQueue = ${literal(taskQueue)}`,
    ...(segment ? [`${SA_SEGMENT.name} = ${literal(segment)}`] : []),
  ].join(' AND ');
}

/** One page of partners: each previewed (dry run) or migrated. */
export async function migrationPage(client: Client, options: PlaybookStoreOptions, request: MigrationOptions): Promise<MigrationPage> {
  const target = await getPlaybook(client, options, request.version);
  const query = partnersQuery(options.taskQueue, request.segment);
  const page = await client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    query,
    pageSize: request.pageSize ?? DEFAULT_MIGRATION_PAGE,
    nextPageToken: request.pageToken ? decodePageToken(query, request.pageToken) : undefined,
  });
  const ask: MigrationRequest = {
    playbook: target.playbook,
    hash: target.hash,
    ...(request.by ? { by: request.by } : {}),
    expect: { ...(request.segment ? { segment: request.segment } : {}), ...(request.fromVersion ? { fromVersion: request.fromVersion } : {}) },
  };
  const actions = { queries: 0, updates: 0 };
  const results = await mapConcurrent(page.executions, CONCURRENCY, async (info) => {
    const workflowId = info.execution?.workflowId ?? '';
    const memo = await decodeMemo(client.options.loadedDataConverter, info.memo?.fields);
    const partnerId = typeof memo.partnerId === 'string' ? memo.partnerId : workflowId.replace(/^onboarding-/, '');
    const pinned = memo[PLAYBOOK_MEMO_KEY] as { version?: string; hash?: string } | undefined;
    // Visibility already says so: no billed action.
    if (pinned?.hash === target.hash) return { partnerId, outcome: 'unchanged' as const, reason: `already on playbook ${target.version}` };
    if (request.fromVersion && pinned?.version && pinned.version !== request.fromVersion) {
      return { partnerId, outcome: 'skipped' as const, reason: `on playbook ${pinned.version}, not ${request.fromVersion}` };
    }
    const handle = client.workflow.getHandle(workflowId);
    try {
      if (request.dryRun) {
        actions.queries += 1;
        const preview: MigrationPreview = await handle.query(previewMigrationQuery, ask);
        return preview.ok
          ? { partnerId, outcome: 'would_migrate' as const, diff: preview.diff, digest: diffDigest(preview.diff) }
          : { partnerId, outcome: refusalOutcome(preview.code), reason: preview.reason };
      }
      actions.updates += 1;
      const updateId = `migrate:${pinned?.version ?? '?'}:${pinned?.hash?.slice(0, 12) ?? '?'}->${target.version}:${target.hash.slice(0, 12)}`;
      const applied = await handle.executeUpdate(migratePlaybookUpdate, { args: [ask], updateId });
      return { partnerId, outcome: 'migrated' as const, diff: applied.diff, digest: diffDigest(applied.diff) };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        return { partnerId, outcome: refusalOutcome(err.cause.type as MigrationRefusal), reason: err.cause.message };
      }
      if (err instanceof WorkflowNotFoundError) return { partnerId, outcome: 'refused' as const, reason: 'the onboarding is no longer running' };
      return { partnerId, outcome: 'failed' as const, reason: err instanceof Error ? err.message : String(err) };
    }
  });
  const next = page.nextPageToken;
  return {
    version: target.version,
    hash: target.hash,
    dryRun: request.dryRun,
    partners: results,
    nextPageToken: next?.length ? encodePageToken(query, next) : null,
    temporalActions: actions,
  };
}

function refusalOutcome(code: MigrationRefusal | string | undefined): MigrationOutcome {
  if (code === 'unchanged') return 'unchanged';
  if (code === 'precondition_failed') return 'skipped';
  return 'refused';
}

async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
