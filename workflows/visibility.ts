/**
 * What the workflow publishes to Temporal visibility: the contract's search
 * attributes, and the report summary as memo key `report` (../report.ts). Each
 * upsert is a billed action, so both are upserted only when they changed, and
 * the report only when the shell says the moment is already paid for.
 */
import { patched, upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { reportSummary, searchAttributes, type DomainState } from './domain';
import { SA_HEALTH, SA_MANAGER, SA_PHASE, SA_SEGMENT } from './messages';
import { REPORT_MEMO_KEY } from './report';

/** Runs recorded before the report memo existed replay without it. */
const REPORT_MEMO_PATCH = 'report-memo';

export class VisibilityPublisher {
  private attributes = '';
  /** The summary as last published; the start memo (or the previous run's) counts. */
  private report = JSON.stringify(workflowInfo().memo?.[REPORT_MEMO_KEY] ?? null);

  /** The run's first workflow task is paid for by its start, and is where events queued before it land. */
  private firstTask = true;

  /** Upserts the search attributes that changed; the report with them, in the run's first task, or when `reportDue`. */
  publish(state: DomainState, reportDue: boolean): void {
    if (this.publishAttributes(state) || reportDue || this.firstTask) this.publishReport(state);
    this.firstTask = false;
  }

  /** Upserts the report summary if it changed. */
  publishReport(state: DomainState): void {
    const summary = reportSummary(state, Date.now());
    const fingerprint = JSON.stringify(summary);
    if (fingerprint === this.report || !patched(REPORT_MEMO_PATCH)) return;
    upsertMemo({ [REPORT_MEMO_KEY]: summary });
    this.report = fingerprint;
  }

  /** Returns true when it upserted. */
  private publishAttributes(state: DomainState): boolean {
    const sa = searchAttributes(state, Date.now());
    const fingerprint = `${sa.phase}|${sa.segment}|${sa.manager}|${sa.health}`;
    if (fingerprint === this.attributes) return false;
    this.attributes = fingerprint;
    const current = workflowInfo().typedSearchAttributes;
    const updates = [
      { key: SA_PHASE, value: sa.phase },
      { key: SA_SEGMENT, value: sa.segment },
      { key: SA_MANAGER, value: sa.manager },
      { key: SA_HEALTH, value: sa.health },
    ].filter(({ key, value }) => current.get(key) !== value);
    if (updates.length) upsertSearchAttributes(updates);
    return updates.length > 0;
  }
}
