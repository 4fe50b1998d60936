/**
 * Partner lists from Temporal visibility only: one ListWorkflowExecutions call
 * per page, summaries from search attributes and memo. Never a query per
 * workflow (on Temporal Cloud each query is a billed action).
 */
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SA_HEALTH, SA_MANAGER, SA_PHASE, SA_SEGMENT, WORKFLOW_TYPE, onboardingWorkflowId } from '../workflows/messages';
import { MEMO_KEYS, type ExecutionStatus, type ListQuery, type PartnerPage, type PartnerSummary } from './apiTypes';
import { decodeMemo, keyword, timestampIso } from './decode';
import { PageNotFoundError, grpcCode } from './errors';

const DEFAULT_PAGE_SIZE = 50;
const GRPC_UNKNOWN = 2;
const GRPC_INVALID_ARGUMENT = 3;

const Status = temporal.api.enums.v1.WorkflowExecutionStatus;
const STATUS_NAMES: Partial<Record<temporal.api.enums.v1.WorkflowExecutionStatus, ExecutionStatus>> = {
  [Status.WORKFLOW_EXECUTION_STATUS_RUNNING]: 'running',
  [Status.WORKFLOW_EXECUTION_STATUS_COMPLETED]: 'completed',
  [Status.WORKFLOW_EXECUTION_STATUS_FAILED]: 'failed',
  [Status.WORKFLOW_EXECUTION_STATUS_CANCELED]: 'canceled',
  [Status.WORKFLOW_EXECUTION_STATUS_TERMINATED]: 'terminated',
  [Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT]: 'timed_out',
};

/** A string literal in Temporal's SQL-like visibility query language. */
export function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Onboarding workflows matching the filters; runs replaced by continue-as-new are left out. */
export function visibilityQuery(query: ListQuery): string {
  const filters = [
    [SA_PHASE.name, query.phase],
    [SA_SEGMENT.name, query.segment],
    [SA_MANAGER.name, query.manager],
    [SA_HEALTH.name, query.health],
  ] as const;
  return [
    `WorkflowType = ${literal(WORKFLOW_TYPE)}`,
    `ExecutionStatus != 'ContinuedAsNew'`,
    ...filters.flatMap(([name, value]) => (value === undefined ? [] : [`${name} = ${literal(value)}`])),
    ...(query.q === undefined ? [] : [`WorkflowId STARTS_WITH ${literal(onboardingWorkflowId(query.q))}`]),
  ].join(' AND ');
}

/**
 * Page tokens carry the server's token and a checksum binding it to the query,
 * so a token from other filters (or a garbled one) is refused at once; Temporal
 * would answer it with UNKNOWN, which the SDK retries for many seconds. The
 * API validates the token's form (apiTypes PAGE_TOKEN_PATTERN); a well-formed
 * token that names no page of this listing is a PageNotFoundError (404).
 */
const checksum = (query: string, token: string) => createHash('sha256').update(`${query}\n${token}`).digest('base64url').slice(0, 22);

export function encodePageToken(query: string, serverToken: Uint8Array): string {
  const token = Buffer.from(serverToken).toString('base64url');
  return `${token}.${checksum(query, token)}`;
}

export function decodePageToken(query: string, pageToken: string): Buffer {
  const [token, sum, ...rest] = pageToken.split('.');
  if (!token || rest.length || sum !== checksum(query, token)) {
    throw new PageNotFoundError('the page token was not issued for a listing with these filters');
  }
  return Buffer.from(token, 'base64url');
}

export async function listPartners(client: Client, filters: ListQuery): Promise<PartnerPage> {
  const query = visibilityQuery(filters);
  const nextPageToken = filters.pageToken ? decodePageToken(query, filters.pageToken) : undefined;
  const response = await client.workflowService
    .listWorkflowExecutions({ namespace: client.options.namespace, query, pageSize: filters.pageSize ?? DEFAULT_PAGE_SIZE, nextPageToken })
    .catch((err: unknown) => {
      const code = grpcCode(err);
      if (nextPageToken && (code === GRPC_INVALID_ARGUMENT || code === GRPC_UNKNOWN)) {
        throw new PageNotFoundError('Temporal no longer knows the page this token names');
      }
      throw err;
    });
  const partners = await Promise.all(response.executions.map((info) => summarize(client, info)));
  const next = response.nextPageToken;
  return { partners, nextPageToken: next?.length ? encodePageToken(query, next) : null };
}

async function summarize(client: Client, info: temporal.api.workflow.v1.IWorkflowExecutionInfo): Promise<PartnerSummary> {
  const memo = await decodeMemo(client.options.loadedDataConverter, info.memo?.fields);
  const attributes = info.searchAttributes?.indexedFields;
  const workflowId = info.execution?.workflowId ?? '';
  const partnerId = memo[MEMO_KEYS.partnerId];
  const name = memo[MEMO_KEYS.name];
  const report = memo[MEMO_KEYS.report] as { contractSignedAt?: unknown } | undefined;
  return {
    // Workflows started without our memo (e.g. by another system) still list, by id.
    partnerId: typeof partnerId === 'string' ? partnerId : workflowId.replace(/^onboarding-/, ''),
    name: typeof name === 'string' ? name : null,
    workflowId,
    runId: info.execution?.runId ?? '',
    status: STATUS_NAMES[info.status ?? Status.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED] ?? 'unknown',
    phase: keyword(attributes, SA_PHASE.name),
    segment: keyword(attributes, SA_SEGMENT.name),
    manager: keyword(attributes, SA_MANAGER.name),
    health: keyword(attributes, SA_HEALTH.name),
    startedAt: timestampIso(info.startTime),
    contractSignedAt: typeof report?.contractSignedAt === 'string' ? report.contractSignedAt : null,
    closedAt: timestampIso(info.closeTime),
  };
}
