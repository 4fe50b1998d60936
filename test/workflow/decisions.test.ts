/**
 * Decisions as Updates (on the dev server: Updates do not skip time on the
 * time-skipping server). `decideCheckpoint` and `waiveMilestone` answer with
 * the new state; their validators refuse what the domain refuses, and a
 * refused Update leaves no event in the history.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { decideCheckpointUpdate, partnerEventSignal, waiveMilestoneUpdate } from '../../workflows/messages';
import type { OnboardingState } from '../../workflows/types';
import { settled, startAtCheckpoint, until } from '../helpers/decisionJourney';
import { DAY_MS } from '../helpers/drive';
import { createDevEnv, createTestWorker, uniq } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniq('decisions');

beforeAll(async () => {
  env = await createDevEnv();
  worker = await createTestWorker(env, taskQueue);
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

async function historyTypes(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0]);
}
const updateEvents = async (handle: WorkflowHandle) => (await historyTypes(handle)).filter((t) => /_UPDATE_/.test(t)).length;

/** The refusal reason of a failed Update. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    return ((err as WorkflowUpdateFailedError).cause as Error).message;
  }
  throw new Error('the Update was not refused');
}

it('extends the checkpoint and answers with the new state; the deadline moves by the days', async () => {
  const handle = await startAtCheckpoint(env, taskQueue);
  const before = await handle.query<OnboardingState>('onboardingState');
  expect(before).toMatchObject({ phase: 'foundation', awaitingDecision: true, extensions: 0 });

  const after = await handle.executeUpdate(decideCheckpointUpdate, {
    args: [{ decision: 'extend', days: 14, phase: 'foundation', by: 'Dana', note: 'training booked' }],
  });
  expect(after).toMatchObject({ phase: 'foundation', awaitingDecision: false, extensions: 1 });
  expect(Date.parse(after.phaseDeadline!) - Date.parse(before.phaseDeadline!)).toBe(14 * DAY_MS);
  expect(after.checkpoints[0]).toMatchObject({ phase: 'foundation', outcome: 'extended', decidedBy: 'Dana', note: 'training booked' });
});

it('refuses a decision no checkpoint awaits, for the wrong phase, or for an unknown milestone, and writes no history for it', async () => {
  const handle = await startAtCheckpoint(env, taskQueue);
  await settled(handle); // the start's notifications are delivered: nothing else moves now
  const eventsBefore = (await historyTypes(handle)).length;

  expect(await refusal(handle.executeUpdate(decideCheckpointUpdate, { args: [{ decision: 'advance', phase: 'activation' }] }))).toMatch(
    /activation checkpoint is not the one awaiting a decision \(the foundation checkpoint is\)/,
  );
  expect(await refusal(handle.executeUpdate(waiveMilestoneUpdate, { args: [{ milestoneId: 'moon_landing', reason: 'why not' }] }))).toMatch(
    /unknown milestone 'moon_landing' for core partners/,
  );
  expect(await refusal(handle.executeUpdate(decideCheckpointUpdate, { args: [{ decision: 'sometimes' } as never] }))).toMatch(
    /invalid event: data\.decision/,
  );
  expect(await updateEvents(handle)).toBe(0);
  expect((await historyTypes(handle)).length).toBe(eventsBefore);

  // Decided: a second decision has no checkpoint to answer.
  await handle.executeUpdate(decideCheckpointUpdate, { args: [{ decision: 'extend', days: 7 }] });
  expect(await refusal(handle.executeUpdate(decideCheckpointUpdate, { args: [{ decision: 'extend', days: 7 }] }))).toBe(
    'no checkpoint is awaiting a decision',
  );
  expect(await updateEvents(handle)).toBe(2); // accepted + completed of the one applied decision
  // Refusals are not rejected events either: nothing was recorded.
  expect((await handle.query<OnboardingState>('onboardingState')).rejectedEvents).toEqual([]);
});

it('waives a gap milestone, refuses a second waiver of it, and advances to the next phase', async () => {
  const handle = await startAtCheckpoint(env, taskQueue);
  const waived = await handle.executeUpdate(waiveMilestoneUpdate, { args: [{ milestoneId: 'portal_access', reason: 'old portal', by: 'Dana' }] });
  expect(waived.milestones.find((m) => m.id === 'portal_access')).toMatchObject({ status: 'waived', waivedReason: 'old portal' });
  expect(await refusal(handle.executeUpdate(waiveMilestoneUpdate, { args: [{ milestoneId: 'portal_access', reason: 'again' }] }))).toBe(
    "milestone 'portal_access' is already waived",
  );
  const advanced = await handle.executeUpdate(decideCheckpointUpdate, { args: [{ decision: 'advance', by: 'Dana' }] });
  expect(advanced).toMatchObject({ phase: 'activation', awaitingDecision: false });
  expect(advanced.checkpoints[0]).toMatchObject({ phase: 'foundation', outcome: 'advanced' });
});

it('offboards on decision, and then refuses any further decision', async () => {
  const handle = await startAtCheckpoint(env, taskQueue);
  const offboarded = await handle.executeUpdate(decideCheckpointUpdate, { args: [{ decision: 'offboard', note: 'no capacity' }] });
  expect(offboarded).toMatchObject({ phase: 'offboarded' });
  await expect(handle.result()).resolves.toMatchObject({ phase: 'offboarded' });
  // The onboarding has ended: nothing is left to decide (the API answers 404, as for events).
  const late = await handle.executeUpdate(decideCheckpointUpdate, { args: [{ decision: 'advance' }] }).catch((err: Error) => err);
  expect(late).toBeInstanceOf(WorkflowNotFoundError);
});

it('shares eventIds with the signal path: a decision signalled after its Update is a repeat', async () => {
  const handle = await startAtCheckpoint(env, taskQueue);
  await handle.executeUpdate(decideCheckpointUpdate, { args: [{ decision: 'extend', days: 10, eventId: 'crm-decision-1' }] });
  await handle.signal(partnerEventSignal, { eventId: 'crm-decision-1', type: 'checkpoint_decision', data: { decision: 'extend', days: 10 } });
  await handle.signal(partnerEventSignal, { eventId: 'after', type: 'kickoff_completed' });
  const state = await until(handle, (s) => s.milestones.some((m) => m.id === 'kickoff_call' && m.status === 'done'));
  expect(state.extensions).toBe(1);
  expect(state.rejectedEvents).toEqual([]);
});

it('keeps the signal path for systems: a checkpoint_decision event still decides, a refused one is recorded', async () => {
  const handle = await startAtCheckpoint(env, taskQueue);
  await handle.signal(partnerEventSignal, { eventId: 'sys-1', type: 'checkpoint_decision', data: { decision: 'extend', days: 14 } });
  await handle.signal(partnerEventSignal, { eventId: 'sys-2', type: 'checkpoint_decision', data: { decision: 'advance' } });
  const state = await until(handle, (s) => s.rejectedEvents.length === 1);
  expect(state.extensions).toBe(1);
  expect(state.rejectedEvents[0]).toMatchObject({ eventId: 'sys-2', reason: 'no checkpoint is awaiting a decision' });
});
