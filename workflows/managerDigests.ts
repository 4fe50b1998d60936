/**
 * `managerDigests`: started every hour by the Temporal Schedule
 * `onboarding-manager-digests` (workers/digestSchedule.ts). One activity reads
 * the digest partners' entries from visibility and sends each manager whose
 * local time is the digest hour one digest across all their partners
 * (activities/managerDigests.ts; exactly once per manager and local day).
 *
 * The moment is the run's scheduled time (`TemporalScheduledStartTime`, in the
 * history, so it replays identically): a run that starts late after an outage
 * still serves the managers of its own hour. A run started by hand may pass `at`.
 *
 * Billed actions: the schedule's start and one activity per hour, whatever the
 * number of partners and managers (48 a day); the partners' entries ride on
 * their memo upserts.
 */
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ManagerDigestOutcome } from '../activities/managerDigests';

export interface ManagerDigestsInput {
  /** The managers' local hour for the digest (MANAGER_DIGEST_HOUR); default 8. */
  localHour?: number;
  /** The moment to serve (ISO-8601); default the scheduled time, else the run's start. */
  at?: string;
}

const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

const { sendManagerDigests } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

export async function managerDigests(input: ManagerDigestsInput = {}): Promise<ManagerDigestOutcome[]> {
  const info = workflowInfo();
  const at = input.at ?? (info.typedSearchAttributes.get(SCHEDULED_START_TIME) ?? info.startTime).toISOString();
  return sendManagerDigests({ at, localHour: input.localHour ?? 8 });
}
