/**
 * The report activity of the weekly digest: `buildProgramDigest` builds the
 * program report (client/reports, read from Temporal visibility) as of the
 * digest's moment and keeps what a weekly read needs: every indicator with its
 * target, the partners at risk (the first DIGEST_AT_RISK_CAP) and the top
 * bottleneck. The result is plain JSON: it goes into the workflow history and
 * becomes the notification's template data.
 */
import type { Client } from '@temporalio/client';
import type { Indicator, OnboardingReport } from '../client/apiTypes';
import { buildReport } from '../client/reports';

export const DIGEST_AT_RISK_CAP = 20;

export type DigestIndicator = Pick<Indicator, 'value' | 'unit' | 'target' | 'met'> & {
  group: 'leading' | 'lagging' | 'quality';
  /** The report's key, e.g. `timeToPortalAccessHours`. */
  id: string;
};

/** A type, not an interface: notification data must be assignable to Record<string, unknown>. */
export type ProgramDigest = {
  /** The moment the report was built for (ISO-8601). */
  asOf: string;
  /** Partners the report covers. */
  partners: number;
  indicators: DigestIndicator[];
  atRisk: OnboardingReport['atRisk']['partners'];
  /** All partners at risk; `atRisk` lists at most DIGEST_AT_RISK_CAP of them. */
  atRiskTotal: number;
  topBottleneck: OnboardingReport['topBottleneck'];
};

export interface ReportActivityDeps {
  client: Client;
}

export function createReportActivities({ client }: ReportActivityDeps) {
  /** The whole program's digest as of `asOf`. */
  async function buildProgramDigest({ asOf }: { asOf: string }): Promise<ProgramDigest> {
    return toDigest(await buildReport(client, {}, Date.parse(asOf)), asOf);
  }
  return { buildProgramDigest };
}

export type ReportActivities = ReturnType<typeof createReportActivities>;

export function toDigest(report: OnboardingReport, asOf: string): ProgramDigest {
  const groups = { leading: report.leading, lagging: report.lagging, quality: report.quality };
  const indicators = Object.entries(groups).flatMap(([group, indicators]) =>
    Object.entries(indicators).map(([id, { value, unit, target, met }]: [string, Indicator]) => ({
      group: group as DigestIndicator['group'],
      id,
      value,
      unit,
      target,
      met,
    })),
  );
  return {
    asOf,
    partners: report.partners,
    indicators,
    atRisk: report.atRisk.partners.slice(0, DIGEST_AT_RISK_CAP),
    atRiskTotal: report.atRisk.total,
    topBottleneck: report.topBottleneck,
  };
}
