/**
 * What the workflow publishes to Temporal visibility: the contract's search
 * attributes, and the report summary as memo key `report` (../report.ts). Each
 * upsert is a billed action, so both are upserted only when they changed, and
 * the report only when the shell says the moment is already paid for.
 */
import { patched, upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { managerDigestEntry, reportSummary, searchAttributes, type DomainState } from './domain';
import { DIGEST_MEMO_KEY, SA_HEALTH, SA_MANAGER, SA_PHASE, SA_SEGMENT } from './messages';
import { REPORT_MEMO_KEY } from './report';

/** Runs recorded before the report memo existed replay without it. */
const REPORT_MEMO_PATCH = 'report-memo';

export class VisibilityPublisher {
  private attributes = '';
  /** The summary as last published; the start memo (or the previous run's) counts. */
  private report = JSON.stringify(workflowInfo().memo?.[REPORT_MEMO_KEY] ?? null);

  /** The run's first workflow task is paid for by its start, and is where events queued before it land. */
  private firstTask = true;

  /** A digest manager's entry for this partner, as last published (none for other managers). */
  private digest = JSON.stringify(workflowInfo().memo?.[DIGEST_MEMO_KEY] ?? null);

  /**
   * Upserts the search attributes that changed; the report with them, in the run's first task, or when
   * `reportDue`. A digest manager's entry goes out whenever it changed: a decision or an answer must not
   * linger in tomorrow's digest.
   */
  publish(state: DomainState, reportDue: boolean): void {
    const digestChanged = this.digestEntryJson(state) !== this.digest;
    if (this.publishAttributes(state) || reportDue || this.firstTask || digestChanged) this.publishReport(state);
    this.firstTask = false;
  }

  /** Upserts the report summary and the digest entry, those that changed, in one memo upsert. */
  publishReport(state: DomainState): void {
    const summary = reportSummary(state, Date.now());
    const fingerprint = JSON.stringify(summary);
    const digest = this.digestEntryJson(state);
    const memo: Record<string, unknown> = {};
    if (fingerprint !== this.report) memo[REPORT_MEMO_KEY] = summary;
    if (digest !== this.digest) memo[DIGEST_MEMO_KEY] = JSON.parse(digest) as unknown;
    if (!Object.keys(memo).length || !patched(REPORT_MEMO_PATCH)) return;
    upsertMemo(memo);
    this.report = fingerprint;
    this.digest = digest;
  }

  private digestEntryJson(state: DomainState): string {
    return JSON.stringify(managerDigestEntry(state, Date.now()));
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
