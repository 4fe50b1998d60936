/**
 * The Temporal Schedule that runs the `weeklyDigest` workflow. Every worker
 * calls `ensureDigestSchedule` at start: the first creates the schedule, the
 * others update it to the same spec, so DIGEST_CRON, the task queue and the
 * program lead's address follow the configuration at the next worker start.
 *
 * Overlap SKIP: a digest still delivering when the next one is due lets that one
 * go (the next week's digest is newer anyway). Catch-up window one day: after an
 * outage the missed digest still goes out the same day, an older one never.
 * An operator's pause (`temporal schedule toggle --pause`) survives the update.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleUpdateOptions,
} from '@temporalio/client';
import { DEFAULT_DIGEST_CRON } from '../config/env';
import { managerDigests } from '../workflows/managerDigests';
import { weeklyDigest } from '../workflows/weeklyDigest';

export const DIGEST_SCHEDULE_ID = 'onboarding-weekly-digest';

export interface DigestScheduleOptions {
  taskQueue: string;
  /** Temporal cron syntax, UTC unless prefixed `CRON_TZ=<zone>`; default Mondays 08:00 UTC. */
  cron?: string;
  /** PROGRAM_LEAD_EMAIL: also e-mail the digest there. */
  programLeadEmail?: string;
}

export async function ensureDigestSchedule(client: Client, options: DigestScheduleOptions): Promise<'created' | 'updated'> {
  const desired: Omit<ScheduleUpdateOptions<ScheduleOptionsStartWorkflowAction<typeof weeklyDigest>>, 'state'> = {
    spec: { cronExpressions: [options.cron ?? DEFAULT_DIGEST_CRON] },
    action: {
      type: 'startWorkflow',
      workflowType: weeklyDigest,
      args: [{ programLeadEmail: options.programLeadEmail }],
      taskQueue: options.taskQueue,
      // Each run's id is this plus the scheduled time, e.g. onboarding-weekly-digest-2026-12-07T08:00:00Z.
      workflowId: DIGEST_SCHEDULE_ID,
      // A digest that cannot go out within a day is stale: let it end instead of retrying on.
      workflowExecutionTimeout: '1 day',
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
  };
  try {
    await client.schedule.create({ scheduleId: DIGEST_SCHEDULE_ID, ...desired });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(DIGEST_SCHEDULE_ID).update((previous) => ({ ...desired, state: previous.state }));
  return 'updated';
}

export const MANAGER_DIGEST_SCHEDULE_ID = 'onboarding-manager-digests';

/**
 * The hourly schedule of the `managerDigests` workflow: each hour serves the
 * digest managers whose local time is `localHour`. Overlap SKIP; catch-up
 * window one hour (a late run still serves its own hour, a run older than
 * that would be a stale digest). Written like the weekly one: create, else update.
 */
export async function ensureManagerDigestSchedule(
  client: Client,
  options: { taskQueue: string; localHour: number },
): Promise<'created' | 'updated'> {
  const desired: Omit<ScheduleUpdateOptions<ScheduleOptionsStartWorkflowAction<typeof managerDigests>>, 'state'> = {
    spec: { cronExpressions: ['0 * * * *'] },
    action: {
      type: 'startWorkflow',
      workflowType: managerDigests,
      args: [{ localHour: options.localHour }],
      taskQueue: options.taskQueue,
      workflowId: MANAGER_DIGEST_SCHEDULE_ID,
      workflowExecutionTimeout: '1 hour',
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
  };
  try {
    await client.schedule.create({ scheduleId: MANAGER_DIGEST_SCHEDULE_ID, ...desired });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(MANAGER_DIGEST_SCHEDULE_ID).update((previous) => ({ ...desired, state: previous.state }));
  return 'updated';
}
