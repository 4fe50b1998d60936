/** Moves a time-skipping environment through a scripted journey. */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { onboardingStateQuery, partnerEventSignal } from '../../workflows/messages';
import type { OnboardingState, PartnerEvent } from '../../workflows/types';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Skips time until `startedAt + days`. */
export async function sleepUntilDay(env: TestWorkflowEnvironment, startedAt: number, days: number): Promise<void> {
  const target = startedAt + days * DAY_MS;
  const now = await env.currentTimeMs();
  if (target > now) await env.sleep(target - now);
}

export async function driveJourney(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle,
  startedAt: number,
  steps: { day: number; events: PartnerEvent[] }[],
): Promise<void> {
  for (const step of steps) {
    await sleepUntilDay(env, startedAt, step.day);
    for (const event of step.events) await handle.signal(partnerEventSignal, event);
  }
}

export function stateOf(handle: WorkflowHandle): Promise<OnboardingState> {
  return handle.query(onboardingStateQuery);
}
