/**
 * `weeklyDigest`: the program's weekly digest, started by the Temporal Schedule
 * `onboarding-weekly-digest` (workers/digestSchedule.ts). It builds the digest as
 * of the run's scheduled time, posts it to the Slack escalation channel and, when
 * a program lead is configured, e-mails it there.
 *
 * The scheduled time names the run: it is the report's moment and part of each
 * notification key (`weekly_digest:<scheduled time>:<channel>`), so a retried
 * delivery finds its earlier send and never posts twice. It comes from the
 * `TemporalScheduledStartTime` search attribute the schedule sets at start: it is
 * in the history, so it replays identically, and it is the nominal slot (Monday
 * 08:00), not whenever the run happened to start after jitter or a catch-up. A
 * run started by hand has no such attribute and uses its own start time instead.
 */
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { workflowInfo } from '@temporalio/workflow';
import type { DeliveryResult, NotificationRequest, ProgramDigest } from './notifications';
import { buildProgramDigest, deliverNotification } from './proxies';

export interface WeeklyDigestInput {
  /** PROGRAM_LEAD_EMAIL; without it the digest goes to Slack only. */
  programLeadEmail?: string;
}

export interface WeeklyDigestResult {
  digest: ProgramDigest;
  deliveries: DeliveryResult[];
}

const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export async function weeklyDigest(input: WeeklyDigestInput = {}): Promise<WeeklyDigestResult> {
  const info = workflowInfo();
  const asOf = (info.typedSearchAttributes.get(SCHEDULED_START_TIME) ?? info.startTime).toISOString();
  const digest = await buildProgramDigest({ asOf });

  // The program's name and links are the worker's playbook's (the activity adds them).
  const message = { kind: 'weekly_digest', data: digest } as const;
  const requests: NotificationRequest[] = [
    { ...message, key: `weekly_digest:${asOf}:slack`, channel: 'slack', to: { escalation: true, label: 'program' } },
  ];
  if (input.programLeadEmail) {
    requests.push({ ...message, key: `weekly_digest:${asOf}:email`, channel: 'email', to: [{ email: input.programLeadEmail }] });
  }
  const deliveries = await Promise.all(requests.map((request) => deliverNotification({ workflowId: info.workflowId, request })));
  return { digest, deliveries };
}
