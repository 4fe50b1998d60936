/**
 * The onboarding report (GET /v1/reports/onboarding, `onboarding report`):
 * every partner's `report` memo read from visibility and aggregated, cached per
 * filter so that dashboards polling it do not load Temporal.
 */
import type { Client } from '@temporalio/client';
import type { OnboardingReport, ReportQuery } from '../apiTypes';
import type { ReportsProvider } from '../api/route';
import { aggregate, type AggregateOptions } from './aggregate';
import { collectSummaries } from './collect';

export { aggregate, quantile, type AggregateOptions, type ReportRow, type Visibility } from './aggregate';

export async function buildReport(
  client: Client,
  filter: ReportQuery,
  nowMs: number,
  options: AggregateOptions = {},
): Promise<OnboardingReport> {
  const { rows, visibility } = await collectSummaries(client, filter);
  return aggregate(rows, filter, nowMs, visibility, options);
}

export interface ReportsProviderOptions extends AggregateOptions {
  /** How long a report is served from cache, per filter; default 60 s. */
  cacheTtlMs?: number;
  /** Filters kept in the cache at most (the oldest goes first); default 100. */
  cacheEntries?: number;
  now?: () => number;
}

/** A cached `buildReport` for the HTTP API; concurrent requests for one filter share one build. */
export function createReportsProvider(client: Client, options: ReportsProviderOptions = {}): ReportsProvider {
  const { cacheTtlMs = 60_000, cacheEntries = 100, now = Date.now, ...aggregateOptions } = options;
  const cache = new Map<string, { at: number; report: Promise<OnboardingReport> }>();
  return (filter) => {
    const key = JSON.stringify([filter.segment, filter.manager, filter.startMonth]);
    const at = now();
    const hit = cache.get(key);
    if (hit && at - hit.at < cacheTtlMs) return hit.report;
    cache.delete(key);
    const report = buildReport(client, filter, at, aggregateOptions);
    cache.set(key, { at, report });
    report.catch(() => cache.get(key)?.report === report && cache.delete(key));
    while (cache.size > cacheEntries) cache.delete(cache.keys().next().value!);
    return report;
  };
}
