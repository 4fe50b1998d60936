/**
 * The activities as workflow code calls them, with the one retry policy they
 * share: transient faults (SMTP or Slack down, rate limits, Temporal visibility
 * unavailable) are retried with backoff for about five hours; permanent ones come
 * back as results, never as failures (activities/errors.ts).
 */
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ReportActivities } from '../activities/reports';
import type { AccountActivities } from '../activities/accounts';

export const ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes', maximumAttempts: 15 },
};

export const { deliverNotification } = proxyActivities<Activities>(ACTIVITY_OPTIONS);
export const { buildProgramDigest } = proxyActivities<ReportActivities>(ACTIVITY_OPTIONS);
export const { settleAccounts } = proxyActivities<AccountActivities>(ACTIVITY_OPTIONS);
