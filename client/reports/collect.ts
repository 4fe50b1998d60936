/**
 * Reads every onboarding's report summary from Temporal visibility: one
 * ListWorkflowExecutions call per 1,000 workflows, memos decoded with the
 * client's data converter. Never a query per workflow (a billed action each).
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { ReportSummary } from '../../workflows/report';
import { MEMO_KEYS, type ReportQuery } from '../apiTypes';
import { decodeMemo } from '../decode';
import { visibilityQuery } from '../visibility';
import type { ReportRow, Visibility } from './aggregate';

/** The server's largest page (frontend.visibilityMaxPageSize). */
export const PAGE_SIZE = 1000;

export async function collectSummaries(client: Client, filter: ReportQuery): Promise<{ rows: ReportRow[]; visibility: Visibility }> {
  const query = visibilityQuery({ segment: filter.segment, manager: filter.manager });
  const rows: ReportRow[] = [];
  const visibility: Visibility = { unprojected: 0, pages: 0, memoBytes: 0 };
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      query,
      pageSize: PAGE_SIZE,
      nextPageToken,
    });
    visibility.pages += 1;
    for (const row of await Promise.all(page.executions.map((info) => toRow(client, info)))) {
      if (!row) visibility.unprojected += 1;
      else {
        visibility.memoBytes += row.bytes;
        rows.push(row.row);
      }
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return { rows, visibility };
}

/** A visibility row's report row, or null when it has no readable `report` memo; `bytes`: the memo's size. */
export async function toRow(
  client: Client,
  info: temporal.api.workflow.v1.IWorkflowExecutionInfo,
): Promise<{ row: ReportRow; bytes: number } | null> {
  const fields = info.memo?.fields ?? {};
  const report = fields[MEMO_KEYS.report];
  if (!report) return null;
  const memo = await decodeMemo(client.options.loadedDataConverter, {
    [MEMO_KEYS.report]: report,
    ...(fields[MEMO_KEYS.partnerId] ? { [MEMO_KEYS.partnerId]: fields[MEMO_KEYS.partnerId] } : {}),
    ...(fields[MEMO_KEYS.name] ? { [MEMO_KEYS.name]: fields[MEMO_KEYS.name] } : {}),
  });
  const summary = ReportSummary.safeParse(memo[MEMO_KEYS.report]);
  if (!summary.success) return null;
  const partnerId = memo[MEMO_KEYS.partnerId];
  const name = memo[MEMO_KEYS.name];
  return {
    row: {
      partnerId: typeof partnerId === 'string' ? partnerId : (info.execution?.workflowId ?? '').replace(/^onboarding-/, ''),
      name: typeof name === 'string' ? name : null,
      summary: summary.data,
    },
    bytes: report.data?.length ?? 0,
  };
}
