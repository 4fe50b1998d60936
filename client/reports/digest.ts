/**
 * The program's weekly digest from the onboarding report: every indicator with
 * its target, the partners at risk (the first DIGEST_AT_RISK_CAP) and the top
 * bottleneck named by its title. The worker hands `programDigestReader` to the
 * digest activity (activities/reports.ts), which never reads Temporal itself.
 */
import type { Client } from '@temporalio/client';
import type { DigestIndicator, ProgramDigest } from '../../workflows/notifications';
import type { Playbook } from '../../workflows/playbook';
import type { Indicator, OnboardingReport } from '../apiTypes';
import { buildReport } from './index';

export const DIGEST_AT_RISK_CAP = 20;

/** A milestone id's title in the playbook (the first segment that has it), or the id itself. */
export function milestoneTitles(playbook: Playbook): (id: string) => string {
  const titles = new Map<string, string>();
  for (const plan of Object.values(playbook.segments)) for (const m of plan.milestones) if (!titles.has(m.id)) titles.set(m.id, m.title);
  return (id) => titles.get(id) ?? id;
}

export function toDigest(report: OnboardingReport, asOf: string): ProgramDigest {
  const groups = { leading: report.leading, lagging: report.lagging, quality: report.quality };
  const indicators = Object.entries(groups).flatMap(([group, indicators]) =>
    Object.entries(indicators).map(
      ([id, { value, unit, target, met }]: [string, Indicator]): DigestIndicator => ({
        group: group as DigestIndicator['group'],
        id,
        value,
        unit,
        target,
        met,
      }),
    ),
  );
  const top = report.topBottleneck;
  return {
    asOf,
    partners: report.partners,
    indicators,
    atRisk: report.atRisk.partners.slice(0, DIGEST_AT_RISK_CAP),
    atRiskTotal: report.atRisk.total,
    topBottleneck: top,
  };
}

/** What the digest activity calls: the whole program's digest as of `asOf`. */
export function programDigestReader(client: Client, playbook: Playbook): (asOf: string) => Promise<ProgramDigest> {
  const titleOf = milestoneTitles(playbook);
  return async (asOf) => toDigest(await buildReport(client, {}, Date.parse(asOf), { titleOf }), asOf);
}
