/**
 * What the workflow publishes to Temporal visibility: the contract's search
 * attributes, the report summary as memo key `report` (../report.ts), and when
 * that summary last changed (`OnboardingReportAt`). Everything is upserted only
 * when it changed.
 *
 * The summary goes out in the same workflow task as the change it reflects, a
 * signal's or a timer's (docs/reports.md): a memo upsert is not a billed action
 * on Temporal Cloud (its Actions page lists search-attribute upserts, not memo
 * upserts); the `OnboardingReportAt` stamp is, so it rides in the same
 * UpsertSearchAttributes command as a phase or health change when there is one.
 * A digest manager's entry for this partner (memo key `digest`) goes out in the
 * same memo upsert whenever it changed.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { managerDigestEntry, reportSummary, searchAttributes, type DomainState } from './domain';
import { DIGEST_MEMO_KEY, SA_HEALTH, SA_MANAGER, SA_PHASE, SA_REPORT_AT, SA_SEGMENT } from './messages';
import { PATCHES, type Since } from './patches';
import { REPORT_MEMO_KEY, REPORT_STAMP_WINDOW_MS } from './report';

export class VisibilityPublisher {
  constructor(private readonly since: Since) {}

  private attributes = '';
  /** The summary as last published; the start memo (or the previous run's) counts. */
  private report = JSON.stringify(workflowInfo().memo?.[REPORT_MEMO_KEY] ?? null);

  /** The run's first workflow task is paid for by its start, and is where events queued before it land. */
  private firstTask = true;

  /** A digest manager's entry for this partner, as last published (none for other managers). */
  private digest = JSON.stringify(workflowInfo().memo?.[DIGEST_MEMO_KEY] ?? null);

  /** `OnboardingReportAt` as last upserted (the start's, or the previous run's). */
  private stampedAtMs = workflowInfo().typedSearchAttributes.get(SA_REPORT_AT)?.getTime() ?? null;

  /**
   * Upserts what changed. Older runs: the search attributes that changed; the report with them, in
   * the run's first task, or when `reportDue`; a digest manager's entry whenever it changed (a
   * decision or an answer must not linger in tomorrow's digest).
   */
  publish(state: DomainState, reportDue: boolean): void {
    if (this.since(PATCHES.reportOnChange)) this.publishChanges(state);
    else {
      const digestChanged = this.digestEntryJson(state) !== this.digest;
      if (this.publishAttributes(state) || reportDue || this.firstTask || digestChanged) this.publishReport(state);
    }
    this.firstTask = false;
  }

  /** Upserts the report summary and the digest entry, those that changed (before the run ends or continues as new). */
  publishReport(state: DomainState): void {
    if (this.since(PATCHES.reportOnChange)) {
      this.publishChanges(state);
      return;
    }
    const summary = reportSummary(state, Date.now());
    const fingerprint = JSON.stringify(summary);
    const digest = this.digestEntryJson(state);
    const memo: Record<string, unknown> = {};
    if (fingerprint !== this.report) memo[REPORT_MEMO_KEY] = summary;
    if (digest !== this.digest) memo[DIGEST_MEMO_KEY] = JSON.parse(digest) as unknown;
    if (!Object.keys(memo).length || !this.since(PATCHES.reportMemo)) return;
    upsertMemo(memo);
    this.report = fingerprint;
    this.digest = digest;
  }

  private digestEntryJson(state: DomainState): string {
    return JSON.stringify(managerDigestEntry(state, Date.now()));
  }

  /**
   * The search attributes that changed, with the `OnboardingReportAt` stamp when the summary
   * changed, in one search-attribute upsert; the summary and the digest entry, those that
   * changed, in one memo upsert.
   */
  private publishChanges(state: DomainState): void {
    const nowMs = Date.now();
    const updates: SearchAttributeUpdatePair[] = this.attributeUpdates(state, nowMs);
    const summary = reportSummary(state, nowMs);
    const fingerprint = JSON.stringify(summary);
    const reportChanged = fingerprint !== this.report;
    const stale = this.stampedAtMs === null || nowMs - this.stampedAtMs >= REPORT_STAMP_WINDOW_MS;
    if (reportChanged && (stale || updates.length)) {
      updates.push({ key: SA_REPORT_AT, value: new Date(nowMs) });
      this.stampedAtMs = nowMs;
    }
    if (updates.length) upsertSearchAttributes(updates);
    const digest = this.digestEntryJson(state);
    const memo: Record<string, unknown> = {};
    if (reportChanged) memo[REPORT_MEMO_KEY] = summary;
    if (digest !== this.digest) memo[DIGEST_MEMO_KEY] = JSON.parse(digest) as unknown;
    if (!Object.keys(memo).length) return;
    upsertMemo(memo);
    this.report = fingerprint;
    this.digest = digest;
  }

  /** Returns true when it upserted. */
  private publishAttributes(state: DomainState): boolean {
    const updates = this.attributeUpdates(state, Date.now());
    if (updates.length) upsertSearchAttributes(updates);
    return updates.length > 0;
  }

  /** The contract's search attributes whose values changed. */
  private attributeUpdates(state: DomainState, nowMs: number): SearchAttributeUpdatePair[] {
    const sa = searchAttributes(state, nowMs);
    const fingerprint = `${sa.phase}|${sa.segment}|${sa.manager}|${sa.health}`;
    if (fingerprint === this.attributes) return [];
    this.attributes = fingerprint;
    const current = workflowInfo().typedSearchAttributes;
    return [
      { key: SA_PHASE, value: sa.phase },
      { key: SA_SEGMENT, value: sa.segment },
      { key: SA_MANAGER, value: sa.manager },
      { key: SA_HEALTH, value: sa.health },
    ].filter(({ key, value }) => current.get(key) !== value);
  }
}
