/**
 * The audit trail of one onboarding, read from workflow history: every signalled
 * event, every decision and waiver (signalled, or by Update: refused Updates
 * leave no history and so no entry), with how the workflow treated it, every notification
 * (scheduled and its result), phase and health changes, continue-as-new
 * boundaries and the close, in history order across the whole run chain, and
 * the account registry's word on this partner's registrations (a conflict
 * flagged or resolved: the answer to its claim, or a notice signalled later).
 */
import type { Client } from '@temporalio/client';
import type { LoadedDataConverter, Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { z } from 'zod';
import type { Activities } from '../activities';
import { accountConflictSignal } from '../workflows/accounts/messages';
import type { AccountActivities } from '../activities/accounts';
import {
  SA_HEALTH,
  SA_PHASE,
  acknowledgeOpportunityUpdate,
  decideCheckpointUpdate,
  partnerEventSignal,
  updateProfileUpdate,
  migratePlaybookUpdate,
  waiveMilestoneUpdate,
} from '../workflows/messages';
import { ProfileChange, parseEvent, type RejectedEvent } from '../workflows/types';
import type { ExecutionStatus, Timeline, TimelineEntry } from './apiTypes';
import { decodePayloads, failureMessage, keyword, timestampIso } from './decode';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type SignalEntry = Extract<TimelineEntry, { kind: 'event' | 'decision' }>;
type NotificationEntry = Extract<TimelineEntry, { kind: 'notification' }>;

const DELIVER_ACTIVITY = 'deliverNotification' satisfies keyof Activities;
const SETTLE_ACTIVITY = 'settleAccounts' satisfies keyof AccountActivities;
type ConflictEntry = Extract<TimelineEntry, { kind: 'account_conflict' }>;

/** The parts of a conflict notice the timeline shows (checked: the signal takes anything). */
const ConflictNotice = z.object({
  conflictId: z.string(),
  account: z.object({ key: z.string() }),
  stage: z.enum(['flagged', 'resolved']),
  role: z.enum(['holder', 'challenger']),
  outcome: z.enum(['kept', 'rejected', 'awaiting_decision', 'won', 'lost']),
  rule: z.enum(['first_registration_wins', 'manager_decides']),
  opportunityIds: z.array(z.string()),
  other: z.union([z.object({ kind: z.literal('partner'), partnerId: z.string() }), z.object({ kind: z.literal('direct') })]),
  decidedBy: z.string().optional(),
});
/** The parts of a `migratePlaybook` Update's input and answer the timeline shows. */
const MigrationInput = z.object({ playbook: z.object({ version: z.string() }), hash: z.string(), by: z.string().optional() });
const MigrationOutcome = z.object({
  diff: z.object({
    from: z.object({ version: z.string(), hash: z.string().nullable() }),
    milestones: z.object({ added: z.array(z.object({ id: z.string() })), removed: z.array(z.object({ id: z.string() })) }),
  }),
});
type MigrationEntry = Extract<TimelineEntry, { kind: 'playbook_migrated' }>;
const SettleResult = z.object({ answers: z.array(z.object({ notice: z.unknown().optional() })) });

/** The Updates through which people decide, and the event each stands for. */
const HUMAN_DECISIONS: Record<string, 'checkpoint_decision' | 'milestone_waived' | 'opportunity_acknowledged' | undefined> = {
  [decideCheckpointUpdate.name]: 'checkpoint_decision',
  [waiveMilestoneUpdate.name]: 'milestone_waived',
  [acknowledgeOpportunityUpdate.name]: 'opportunity_acknowledged',
};

/** The parts of the activity's input and result the timeline shows (older histories may differ). */
const DeliveryInput = z.object({
  request: z.object({
    key: z.string(),
    kind: z.string(),
    channel: z.string(),
    to: z.union([z.array(z.object({ email: z.string() })), z.object({ label: z.string() })]),
  }),
});
const DeliveryResult = z.object({
  status: z.enum(['sent', 'failed', 'suppressed', 'deferred']),
  error: z.string().optional(),
  reason: z.string().optional(),
  retryAt: z.string().optional(),
});

interface Run {
  runId: string;
  events: HistoryEvent[];
}

export async function buildTimeline(
  client: Client,
  target: { partnerId: string; workflowId: string; runId: string },
  rejected: RejectedEvent[],
): Promise<Timeline> {
  const runs = await fetchRunChain(client, target.workflowId, target.runId);
  const entries: TimelineEntry[] = [];
  for (const [i, run] of runs.entries()) entries.push(...(await runEntries(client.options.loadedDataConverter, run, i === 0)));
  // History order puts signals that arrived during a workflow task after that task's
  // commands; readers expect the order things happened: by time (stable sort).
  entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  markOutcomes(
    entries.filter((e): e is SignalEntry => e.kind === 'event' || e.kind === 'decision'),
    rejected,
  );
  return { partnerId: target.partnerId, workflowId: target.workflowId, runIds: runs.map((r) => r.runId), entries };
}

/** The run and every run it continued from, oldest first. */
async function fetchRunChain(client: Client, workflowId: string, latestRunId: string): Promise<Run[]> {
  const runs: Run[] = [];
  for (let runId: string | undefined = latestRunId; runId; ) {
    const events: HistoryEvent[] = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    runs.unshift({ runId, events });
    runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return runs;
}

async function runEntries(converter: LoadedDataConverter, { runId, events }: Run, first: boolean): Promise<TimelineEntry[]> {
  const entries: TimelineEntry[] = [];
  const notifications = new Map<string, NotificationEntry>();
  const settles = new Set<string>();
  const updates = new Map<string, SignalEntry>();
  const migrations = new Map<string, MigrationEntry>();
  let status: SearchStatus = {};
  const decode = async (payloads: temporal.api.common.v1.IPayloads | null | undefined) =>
    (await decodePayloads(converter, payloads?.payloads))[0];

  for (const event of events) {
    const at = timestampIso(event.eventTime) ?? '';
    const started = event.workflowExecutionStartedEventAttributes;
    const signaled = event.workflowExecutionSignaledEventAttributes;
    const scheduled = event.activityTaskScheduledEventAttributes;
    const finished = activityOutcome(event);
    const upsert = event.upsertWorkflowSearchAttributesEventAttributes;
    const continued = event.workflowExecutionContinuedAsNewEventAttributes;
    const closed = closeStatus(event);
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes;
    const updateDone = event.workflowExecutionUpdateCompletedEventAttributes;

    if (started) {
      status = searchStatus(started.searchAttributes?.indexedFields);
      if (first) entries.push({ kind: 'started', at, runId });
    } else if (signaled?.signalName === partnerEventSignal.name) {
      entries.push(signalEntry(await decode(signaled.input), at, runId));
    } else if (signaled?.signalName === accountConflictSignal.name) {
      const entry = conflictEntry(await decode(signaled.input), at, runId);
      if (entry) entries.push(entry);
    } else if (scheduled?.activityType?.name === SETTLE_ACTIVITY) {
      settles.add(String(event.eventId));
    } else if (finished && settles.has(String(finished.scheduledEventId))) {
      const result = SettleResult.safeParse(await decode(finished.result));
      for (const answer of result.success ? result.data.answers : []) {
        const entry = conflictEntry(answer.notice, at, runId);
        if (entry) entries.push(entry);
      }
    } else if (accepted && HUMAN_DECISIONS[accepted.acceptedRequest?.input?.name ?? '']) {
      const type = HUMAN_DECISIONS[accepted.acceptedRequest!.input!.name!]!;
      const input = (await decode(accepted.acceptedRequest?.input?.args)) as Record<string, unknown> | undefined;
      const { eventId, ...data } = input ?? {};
      const updateId = accepted.acceptedRequest?.meta?.updateId ?? '';
      // The workflow's own key for an Update sent without an eventId (workflows/partnerOnboarding.ts asEvent).
      const id = typeof eventId === 'string' ? eventId : `${type}:${updateId}`;
      const entry = { ...signalEntry({ eventId: id, type, data }, at, runId), via: 'update' as const };
      updates.set(updateId, entry);
      entries.push(entry);
    } else if (updateDone && !migrations.has(updateDone.meta?.updateId ?? '')) {
      // Validated before acceptance, so a failure is rare (an older history replayed): say so.
      const entry = updates.get(updateDone.meta?.updateId ?? '');
      if (entry && updateDone.outcome?.failure) Object.assign(entry, { outcome: 'rejected', reason: updateDone.outcome.failure.message ?? 'refused' });
    } else if (scheduled?.activityType?.name === DELIVER_ACTIVITY) {
      const entry = notificationEntry(await decode(scheduled.input), at, runId);
      if (entry) {
        notifications.set(String(event.eventId), entry);
        entries.push(entry);
      }
    } else if (finished) {
      const entry = notifications.get(String(finished.scheduledEventId));
      const result = DeliveryResult.safeParse(await decode(finished.result));
      // With payload encryption a failure's message is in its (encrypted) encoded attributes.
      const error = finished.failure ? await failureMessage(converter, finished.failure) : finished.error;
      if (entry) {
        entry.completedAt = at;
        entry.status = error ? 'failed' : result.success ? result.data.status : 'sent';
        entry.error = error ?? (result.success ? result.data.error : undefined);
        if (result.success && result.data.reason) entry.reason = result.data.reason;
        if (result.success && result.data.retryAt) entry.until = result.data.retryAt;
      }
    } else if (upsert) {
      const next = searchStatus(upsert.searchAttributes?.indexedFields);
      const changed: SearchStatus = {
        ...(next.phase && next.phase !== status.phase ? { phase: next.phase } : {}),
        ...(next.health && next.health !== status.health ? { health: next.health } : {}),
      };
      status = { ...status, ...changed };
      if (changed.phase || changed.health) entries.push({ kind: 'status_changed', at, runId, ...changed });
    } else if (accepted?.acceptedRequest?.input?.name === updateProfileUpdate.name) {
      const change = ProfileChange.safeParse(await decode(accepted.acceptedRequest.input.args));
      if (change.success) {
        const { by, reason, ...fields } = change.data;
        entries.push({ kind: 'profile_changed', at, runId, by, fields: Object.keys(fields), ...(reason ? { reason } : {}) });
      }
    } else if (accepted?.acceptedRequest?.input?.name === migratePlaybookUpdate.name) {
      const request = MigrationInput.safeParse(await decode(accepted.acceptedRequest.input.args));
      if (request.success) {
        const { playbook, hash, by } = request.data;
        const entry: MigrationEntry = { kind: 'playbook_migrated', at, runId, to: { version: playbook.version, hash }, ...(by ? { by } : {}) };
        migrations.set(accepted.acceptedRequest.meta?.updateId ?? '', entry);
        entries.push(entry);
      }
    } else if (updateDone && migrations.has(updateDone.meta?.updateId ?? '')) {
      const entry = migrations.get(updateDone.meta?.updateId ?? '')!;
      const applied = MigrationOutcome.safeParse(updateDone.outcome?.success ? await decode(updateDone.outcome.success) : undefined);
      if (applied.success) {
        const { from, milestones } = applied.data.diff;
        Object.assign(entry, { from, milestonesAdded: milestones.added.map((m) => m.id), milestonesRemoved: milestones.removed.map((m) => m.id) });
      }
    } else if (continued) {
      entries.push({ kind: 'continued_as_new', at, runId, newRunId: continued.newExecutionRunId ?? '' });
    } else if (closed) {
      entries.push({ kind: 'closed', at, runId, status: closed });
    }
  }
  return entries;
}

interface SearchStatus {
  phase?: string;
  health?: string;
}

function searchStatus(fields: Record<string, Payload> | null | undefined): SearchStatus {
  const phase = keyword(fields, SA_PHASE.name);
  const health = keyword(fields, SA_HEALTH.name);
  return { ...(phase ? { phase } : {}), ...(health ? { health } : {}) };
}

function conflictEntry(input: unknown, at: string, runId: string): ConflictEntry | null {
  const parsed = ConflictNotice.safeParse(input);
  if (!parsed.success) return null;
  const n = parsed.data;
  return {
    kind: 'account_conflict',
    at,
    runId,
    conflictId: n.conflictId,
    account: n.account.key,
    stage: n.stage,
    role: n.role,
    outcome: n.outcome,
    rule: n.rule,
    opportunityIds: n.opportunityIds,
    other: n.other.kind === 'partner' ? n.other.partnerId : 'direct',
    ...(n.decidedBy ? { decidedBy: n.decidedBy } : {}),
  };
}

function notificationEntry(input: unknown, at: string, runId: string): NotificationEntry | null {
  const parsed = DeliveryInput.safeParse(input);
  if (!parsed.success) return null;
  const { key, kind, channel, to } = parsed.data.request;
  return {
    kind: 'notification',
    at,
    runId,
    key,
    notificationKind: kind,
    channel,
    to: Array.isArray(to) ? to.map((r) => r.email) : [to.label],
    status: 'pending',
  };
}

function signalEntry(raw: unknown, at: string, runId: string): SignalEntry {
  const parsed = parseEvent(raw);
  if (!parsed.ok) {
    const fields = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    return {
      kind: 'event',
      at,
      runId,
      eventId: typeof fields.eventId === 'string' ? fields.eventId : null,
      type: typeof fields.type === 'string' ? fields.type : null,
      outcome: 'rejected',
      reason: `malformed: ${parsed.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
    };
  }
  const e = parsed.value;
  if (e.type === 'checkpoint_decision') return { kind: 'decision', at, runId, eventId: e.eventId, decision: e.data, outcome: 'accepted' };
  return { kind: 'event', at, runId, eventId: e.eventId, type: e.type, occurredAt: e.occurredAt, data: e.data, outcome: 'accepted' };
}

/**
 * Marks signals the workflow rejected (from the state's rejectedEvents) and the
 * repeats it ignored. A rejection belongs to the latest signal with its eventId
 * received before the workflow recorded it.
 */
function markOutcomes(signals: SignalEntry[], rejected: RejectedEvent[]): void {
  const matched = new Set<SignalEntry>();
  for (const r of [...rejected].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))) {
    const received = signals.filter((s) => s.eventId === r.eventId && Date.parse(s.at) <= Date.parse(r.at) && !matched.has(s));
    const signal = received[received.length - 1];
    if (!signal) continue;
    matched.add(signal);
    signal.outcome = 'rejected';
    signal.reason = r.reason;
  }
  const accepted = new Set<string>();
  for (const s of signals) {
    if (s.outcome !== 'accepted' || s.eventId === null) continue;
    if (accepted.has(s.eventId)) s.outcome = 'duplicate';
    accepted.add(s.eventId);
  }
}

function closeStatus(event: HistoryEvent): ExecutionStatus | null {
  if (event.workflowExecutionCompletedEventAttributes) return 'completed';
  if (event.workflowExecutionFailedEventAttributes) return 'failed';
  if (event.workflowExecutionTerminatedEventAttributes) return 'terminated';
  if (event.workflowExecutionCanceledEventAttributes) return 'canceled';
  if (event.workflowExecutionTimedOutEventAttributes) return 'timed_out';
  return null;
}

/** A scheduled activity's end: its result payload, or why it produced none. */
function activityOutcome(
  event: HistoryEvent,
): {
  scheduledEventId: unknown;
  result?: temporal.api.common.v1.IPayloads | null;
  error?: string;
  failure?: temporal.api.failure.v1.IFailure;
} | null {
  const completed = event.activityTaskCompletedEventAttributes;
  if (completed) return { scheduledEventId: completed.scheduledEventId, result: completed.result };
  const failed = event.activityTaskFailedEventAttributes;
  if (failed) {
    return failed.failure
      ? { scheduledEventId: failed.scheduledEventId, failure: failed.failure }
      : { scheduledEventId: failed.scheduledEventId, error: 'failed' };
  }
  const timedOut = event.activityTaskTimedOutEventAttributes;
  if (timedOut) return { scheduledEventId: timedOut.scheduledEventId, error: 'timed out' };
  const canceled = event.activityTaskCanceledEventAttributes;
  if (canceled) return { scheduledEventId: canceled.scheduledEventId, error: 'canceled' };
  return null;
}
