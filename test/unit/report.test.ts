/**
 * The report aggregation, a pure function over report summaries: the cohort of
 * test/helpers/reportCohort.ts through the pure domain (as each workflow's first
 * task would see it), edge cases, and the provider's cache.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { OnboardingReport } from '../../client/apiTypes';
import { aggregate, createReportsProvider, quantile, type ReportRow } from '../../client/reports';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { advance, applyEvent, initState, reportSummary } from '../../workflows/domain';
import { COHORT, DAY_MS, cohortEvents, cohortProfile, expectCohortReport } from '../helpers/reportCohort';

const NOW = Date.parse('2027-03-15T12:00:00Z');
const NO_VISIBILITY = { unprojected: 0, pages: 1, memoBytes: 0 };

function cohortRows(nowMs: number): ReportRow[] {
  return COHORT.map((partner) => {
    const profile = cohortProfile(partner, `cohort-${partner.key}`, 'cohort@vendor.example', nowMs);
    let state = initState(profile, DEFAULT_PLAYBOOK, nowMs);
    for (const event of cohortEvents(partner, nowMs)) state = applyEvent(state, event, nowMs);
    state = advance(state, nowMs).state;
    return { partnerId: profile.partnerId, name: profile.name, summary: reportSummary(state, nowMs) };
  });
}

describe('aggregate', () => {
  it('computes every indicator and the bottleneck of the cohort as computed by hand', () => {
    const report = aggregate(cohortRows(NOW), {}, NOW, NO_VISIBILITY);
    expectCohortReport(report, (key) => `cohort-${key}`);
    expect(report.leading.timeToPortalAccessHours.unit).toBe('hours');
    expect(report.atRisk.partners[0]).toEqual({ partnerId: 'cohort-p3', name: 'Cohort p3', manager: 'cohort@vendor.example', phase: 'foundation' });
  });

  it('filters on the month the contract was signed, and compares deal cycles with a configured benchmark', () => {
    const month = new Date(NOW - 10 * DAY_MS).toISOString().slice(0, 7);
    const report = aggregate(cohortRows(NOW), { startMonth: month }, NOW, NO_VISIBILITY, { dealCycleTargetDays: 50 });
    expect(report).toMatchObject({ partners: 1, byPhase: { activation: 1 }, filter: { startMonth: month } });
    expect(aggregate(cohortRows(NOW), {}, NOW, NO_VISIBILITY, { dealCycleTargetDays: 45 }).quality.dealCycleDays).toMatchObject({
      value: 46.7,
      target: { op: '<', value: 45 },
      met: false,
    });
  });

  it('reports no value and no verdict without data', () => {
    const report = aggregate([], {}, NOW, { unprojected: 2, pages: 1, memoBytes: 0 });
    expect(report).toMatchObject({ partners: 0, unprojected: 2, topBottleneck: null, atRisk: { total: 0, partners: [] } });
    expect(report.leading.timeToFirstTrainingDays).toMatchObject({ value: null, p90: null, shareMeetingTarget: null, met: null, n: 0 });
    expect(report.lagging.completionRate).toMatchObject({ value: null, met: null, n: 0 });
  });

  it('interpolates quantiles between closest ranks', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1);
  });
});

describe('createReportsProvider', () => {
  function fakeClient() {
    const row = cohortRows(NOW)[0]!;
    const memo = (value: unknown) => defaultPayloadConverter.toPayload(value);
    const listWorkflowExecutions = jest.fn(async () => ({
      executions: [
        { execution: { workflowId: 'onboarding-cohort-p1' }, memo: { fields: { report: memo(row.summary), name: memo(row.name) } } },
        { execution: { workflowId: 'onboarding-other' }, memo: { fields: { name: memo('no summary yet') } } },
      ],
      nextPageToken: new Uint8Array(),
    }));
    const client = {
      options: { namespace: 'default', loadedDataConverter: { payloadConverter: defaultPayloadConverter, payloadCodecs: [], failureConverter: {} } },
      workflowService: { listWorkflowExecutions },
    } as unknown as Client;
    return { client, listWorkflowExecutions };
  }

  it('reads visibility once per filter within the cache time, again after it', async () => {
    const { client, listWorkflowExecutions } = fakeClient();
    let now = NOW;
    const reports = createReportsProvider(client, { cacheTtlMs: 60_000, now: () => now });
    const first = (await reports({ segment: 'transactional' })) as OnboardingReport;
    expect(first).toMatchObject({ partners: 1, unprojected: 1, source: { pages: 1 } });
    expect(first.source.memoBytes).toBeGreaterThan(100);
    expect(listWorkflowExecutions).toHaveBeenCalledWith(
      expect.objectContaining({
        pageSize: 1000,
        query: "WorkflowType = 'partnerOnboarding' AND ExecutionStatus != 'ContinuedAsNew' AND PartnerSegment = 'transactional'",
      }),
    );
    now += 59_000;
    expect(await reports({ segment: 'transactional' })).toBe(first);
    await reports({ segment: 'core' });
    expect(listWorkflowExecutions).toHaveBeenCalledTimes(2);
    now += 1_000;
    expect(await reports({ segment: 'transactional' })).not.toBe(first);
    expect(listWorkflowExecutions).toHaveBeenCalledTimes(3);
  });
});
