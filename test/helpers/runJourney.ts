/**
 * Runs one segment's scripted happy path on the time-skipping server with the
 * production workflow and real (file-writing) activities, up to graduation.
 * Shared by the workflow tests, the history recorder and the cost benchmark.
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { WORKFLOW_TYPE } from '../../workflows/messages';
import { parseProfile, type OnboardingState, type Segment } from '../../workflows/types';
import { onboardingStart } from '../../client/onboardingClient';
import { driveJourney, sleepUntilDay, stateOf } from './drive';
import { HAPPY_PATHS, profileFor, withIds } from './journeys';
import type { OnboardingWorkerOptions } from '../../workers/createWorker';
import { createTestWorker, uniq } from './temporal';

type History = temporal.api.history.v1.History;

export interface JourneyRun {
  workflowId: string;
  state: OnboardingState;
  /** Each run's history: the first run is the onboarding, later ones follow continue-as-new. */
  runs: History[];
}

/**
 * Starts a partner's workflow on `env` as the API does (`onboardingStart`: the
 * start memo and search attributes included), and returns its handle and start time.
 */
export async function startPartner(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  profile: ReturnType<typeof profileFor>,
): Promise<{ handle: WorkflowHandleWithFirstExecutionRunId; startedAt: number }> {
  // The contract is signed "now" on the test server's clock, so days count exactly.
  const now = await env.currentTimeMs();
  const startedAt = profile.contractSignedAt ? Date.parse(profile.contractSignedAt) : now;
  const parsed = parseProfile({ ...profile, contractSignedAt: new Date(startedAt).toISOString() });
  if (!parsed.ok) throw new Error(`not a valid profile: ${parsed.errors.map((e) => e.message).join('; ')}`);
  const handle = await env.client.workflow.start(WORKFLOW_TYPE, onboardingStart(parsed.value, { taskQueue, playbook: DEFAULT_PLAYBOOK }, now));
  return { handle, startedAt };
}

/**
 * The histories of a workflow's runs, from the first through each
 * continue-as-new, concatenated: what the whole journey cost.
 */
export async function fetchRunChain(client: Client, workflowId: string, firstRunId: string): Promise<History[]> {
  const runs: History[] = [];
  for (let runId: string | undefined = firstRunId; runId; ) {
    const history: History = temporal.api.history.v1.History.create(await client.workflow.getHandle(workflowId, runId).fetchHistory());
    runs.push(history);
    const last: temporal.api.history.v1.IHistoryEvent | undefined = history.events[history.events.length - 1];
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

/** `dataConverter`: the worker's (e.g. payload encryption; give `env.client` the same one). `overrides`: profile fields. */
export async function runHappyPath(
  env: TestWorkflowEnvironment,
  segment: Segment,
  endDay = 130,
  dataConverter?: OnboardingWorkerOptions['dataConverter'],
  overrides: Partial<ReturnType<typeof profileFor>> = {},
): Promise<JourneyRun> {
  const taskQueue = uniq('journey');
  const worker = await createTestWorker(env, taskQueue, undefined, { dataConverter });
  return worker.runUntil(async () => {
    const profile = profileFor(segment, uniq(segment), overrides);
    const { handle, startedAt } = await startPartner(env, taskQueue, profile);
    await driveJourney(env, handle, startedAt, withIds(HAPPY_PATHS[segment], segment, profile.partnerId));
    await sleepUntilDay(env, startedAt, endDay);
    const state = await stateOf(handle);
    const runs = await fetchRunChain(env.client, handle.workflowId, handle.firstExecutionRunId);
    // This worker stops with the journey: a workflow left running on its task queue
    // would hold the time-skipping server's clock at its next timer.
    await handle.terminate('journey recorded');
    return { workflowId: handle.workflowId, state, runs };
  });
}
