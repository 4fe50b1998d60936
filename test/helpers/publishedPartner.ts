/**
 * A partner started without a worker, carrying the report summary and search
 * attributes its running workflow would have published (memo `report`,
 * `OnboardingReportAt` stamp): what the report's projection reads from
 * visibility, at any scale, without running the workflows.
 */
import type { Client } from '@temporalio/client';
import { SA_HEALTH, SA_MANAGER, SA_PHASE, SA_REPORT_AT, SA_SEGMENT, WORKFLOW_TYPE, onboardingWorkflowId } from '../../workflows/messages';
import { REPORT_MEMO_KEY, type ReportSummary } from '../../workflows/report';

export async function startPublishedPartner(
  client: Client,
  partner: { partnerId: string; name: string; summary: ReportSummary; taskQueue: string; stampedAtMs: number },
): Promise<void> {
  const { partnerId, name, summary } = partner;
  await client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: partner.taskQueue,
    workflowId: onboardingWorkflowId(partnerId),
    args: [],
    memo: { partnerId, name, [REPORT_MEMO_KEY]: summary },
    typedSearchAttributes: [
      { key: SA_PHASE, value: summary.phase },
      { key: SA_SEGMENT, value: summary.segment },
      { key: SA_MANAGER, value: summary.manager },
      { key: SA_HEALTH, value: summary.health },
      { key: SA_REPORT_AT, value: new Date(partner.stampedAtMs) },
    ],
  });
}
