/**
 * The digest managers' partner entries (workflows/digestEntry.ts), read from
 * Temporal visibility: running onboardings, 1,000 per ListWorkflowExecutions
 * page, only the `digest` memo decoded. Never a query per partner. The worker
 * hands this reader to the manager digest activity.
 */
import type { Client } from '@temporalio/client';
import { ManagerDigestEntry } from '../workflows/digestEntry';
import { DIGEST_MEMO_KEY, WORKFLOW_TYPE } from '../workflows/messages';
import { decodeMemo } from './decode';

const PAGE_SIZE = 1000;

export async function listDigestEntries(client: Client): Promise<ManagerDigestEntry[]> {
  const query = `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;
  const entries: ManagerDigestEntry[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({ namespace: client.options.namespace, query, pageSize: PAGE_SIZE, nextPageToken });
    for (const info of page.executions) {
      const field = info.memo?.fields?.[DIGEST_MEMO_KEY];
      if (!field) continue;
      const memo = await decodeMemo(client.options.loadedDataConverter, { [DIGEST_MEMO_KEY]: field });
      const entry = ManagerDigestEntry.safeParse(memo[DIGEST_MEMO_KEY]);
      if (entry.success) entries.push(entry.data);
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return entries;
}
