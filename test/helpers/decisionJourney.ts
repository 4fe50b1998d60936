/**
 * A core partner whose contract was signed 31 days ago: the foundation
 * checkpoint opens at once with gaps. A manager waives a gap milestone and
 * extends the phase by 14 days, by signals (as before Updates) or by the
 * `waiveMilestone` and `decideCheckpoint` Updates, with refused attempts in
 * between. On the dev server: Updates do not skip time on the time-skipping one.
 * Used by the replay recorder and the Update tests.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { temporal } from '@temporalio/proto';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import {
  WORKFLOW_TYPE,
  decideCheckpointUpdate,
  onboardingStateQuery,
  onboardingWorkflowId,
  partnerEventSignal,
  waiveMilestoneUpdate,
} from '../../workflows/messages';
import type { OnboardingState } from '../../workflows/types';
import { DAY_MS } from './drive';
import { profileFor } from './journeys';
import { createTestWorker, uniq } from './temporal';

/** Polls the state until `check` passes (the dev server runs in real time). */
export async function until(handle: WorkflowHandle, check: (s: OnboardingState) => boolean, timeoutMs = 20_000): Promise<OnboardingState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await handle.query(onboardingStateQuery);
    if (check(state)) return state;
    if (Date.now() > deadline) throw new Error(`state did not reach the expected shape: ${JSON.stringify(state).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits until notifications stop changing (every delivery recorded). */
export async function settled(handle: WorkflowHandle): Promise<OnboardingState> {
  let last = '';
  let stable = 0;
  for (let i = 0; i < 100 && stable < 4; i++) {
    const state = await handle.query(onboardingStateQuery);
    const fingerprint = JSON.stringify(state.notifications);
    stable = fingerprint === last ? stable + 1 : 0;
    last = fingerprint;
    await new Promise((r) => setTimeout(r, 250));
  }
  return handle.query(onboardingStateQuery);
}

export async function startAtCheckpoint(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  partnerId = uniq('decisions'),
  overrides: Partial<ReturnType<typeof profileFor>> = {},
): Promise<WorkflowHandle> {
  const profile = profileFor('core', partnerId, { contractSignedAt: new Date(Date.now() - 31 * DAY_MS).toISOString(), ...overrides });
  const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: onboardingWorkflowId(profile.partnerId),
    args: [profile, { playbook: DEFAULT_PLAYBOOK }],
  });
  await until(handle, (s) => s.awaitingDecision);
  return handle;
}

/** `overrides`: profile fields (e.g. a digest manager). */
export async function runDecisionJourney(
  env: TestWorkflowEnvironment,
  via: 'signals' | 'updates',
  overrides: Partial<ReturnType<typeof profileFor>> = {},
): Promise<{ history: temporal.api.history.v1.IHistory; state: OnboardingState }> {
  const taskQueue = uniq('decisions');
  const worker = await createTestWorker(env, taskQueue);
  return worker.runUntil(async () => {
    const handle = await startAtCheckpoint(env, taskQueue, uniq('decisions'), overrides);
    const waiver = { milestoneId: 'portal_access', reason: 'access granted in the old portal', by: 'Dana' };
    const decision = { decision: 'extend' as const, days: 14, by: 'Dana', note: 'training booked' };
    if (via === 'signals') {
      await handle.signal(partnerEventSignal, { eventId: 'waive-1', type: 'milestone_waived', data: waiver });
      await handle.signal(partnerEventSignal, { eventId: 'decide-1', type: 'checkpoint_decision', data: decision });
      await handle.signal(partnerEventSignal, { eventId: 'decide-2', type: 'checkpoint_decision', data: { decision: 'advance' } });
    } else {
      await handle.executeUpdate(waiveMilestoneUpdate, { args: [{ ...waiver, eventId: 'waive-1' }] });
      await handle.executeUpdate(waiveMilestoneUpdate, { args: [{ ...waiver, milestoneId: 'no_such_milestone' }] }).catch(() => undefined);
      await handle.executeUpdate(decideCheckpointUpdate, { args: [{ ...decision, phase: 'activation' }] }).catch(() => undefined);
      await handle.executeUpdate(decideCheckpointUpdate, { args: [{ ...decision, phase: 'foundation' }] });
      await handle.executeUpdate(decideCheckpointUpdate, { args: [{ decision: 'advance' }] }).catch(() => undefined);
    }
    await until(handle, (s) => s.extensions === 1);
    const state = await settled(handle);
    const history = await handle.fetchHistory();
    await handle.terminate('history recorded');
    return { history, state };
  });
}
