/**
 * The onboarding report as a pure function of the partners' report summaries
 * ("Measuring Onboarding Success" and "Common Bottlenecks" of the seed): no
 * Temporal here, so every figure is unit-testable by hand.
 *
 * Quantiles interpolate linearly between closest ranks (the usual median; p90
 * of [1..10] is 9.1). Hours and days are rounded to 0.1, ratios to 0.001.
 */
import type { ReportSummary } from '../../workflows/report';
import { Health, LifecyclePhase, Phase } from '../../workflows/types';
import type { Indicator, LeadingIndicator, OnboardingReport, ReportQuery } from '../apiTypes';

export interface ReportRow {
  partnerId: string;
  name: string | null;
  summary: ReportSummary;
}

export interface Visibility {
  unprojected: number;
  pages: number;
  memoBytes: number;
}

export interface AggregateOptions {
  /** Mean registration-to-win days of comparable direct deals: the deal cycle target ("similar timeframe"). */
  dealCycleTargetDays?: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const AT_RISK_LISTED = 100;
type Target = NonNullable<Indicator['target']>;
type Unit = Indicator['unit'];

const round = (n: number, unit: Unit) => (unit === 'ratio' ? Math.round(n * 1000) / 1000 : Math.round(n * 10) / 10);
const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);
const present = <T>(values: (T | null)[]): T[] => values.filter((v): v is T => v !== null);

export function quantile(values: number[], q: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo]! + (sorted[Math.ceil(pos)]! - sorted[lo]!) * (pos - lo);
}

function meets(value: number, target: Target): boolean {
  return target.op === '<' ? value < target.value : value > target.value;
}

function indicator(value: number | null, n: number, unit: Unit, target: Target | null): Indicator {
  return {
    value: value === null ? null : round(value, unit),
    unit,
    target,
    met: value === null || target === null ? null : meets(value, target),
    n,
  };
}

const ratio = (part: number, whole: number) => (whole ? part / whole : null);

/** Time from the contract to now, or to the offboarding (the partner's clock stopped then). */
function elapsedMs(s: ReportSummary, nowMs: number): number {
  return (s.offboardedAt ? Date.parse(s.offboardedAt) : nowMs) - Date.parse(s.contractSignedAt);
}

function leading(
  summaries: ReportSummary[],
  nowMs: number,
  pick: (i: ReportSummary['indicators']) => number | null,
  unit: 'hours' | 'days',
  limit: number,
): LeadingIndicator {
  const target: Target = { op: '<', value: limit };
  const values = present(summaries.map((s) => pick(s.indicators)));
  // Partners past the target without it have missed it too: they count against the share.
  const missing = summaries.filter((s) => pick(s.indicators) === null && elapsedMs(s, nowMs) >= limit * (unit === 'hours' ? HOUR : DAY));
  const share = ratio(values.filter((v) => v < limit).length, values.length + missing.length);
  const p90 = quantile(values, 0.9);
  return {
    ...indicator(quantile(values, 0.5), values.length, unit, target),
    p90: p90 === null ? null : round(p90, unit),
    shareMeetingTarget: share === null ? null : round(share, 'ratio'),
  };
}

function stalls(summaries: ReportSummary[], phase: Phase): { milestoneId: string; partners: number }[] {
  const counts = new Map<string, number>();
  for (const s of summaries) for (const id of s.late[phase]?.split(' ') ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
  return [...counts]
    .map(([milestoneId, partners]) => ({ milestoneId, partners }))
    .sort((a, b) => b.partners - a.partners || a.milestoneId.localeCompare(b.milestoneId));
}

const countBy = <K extends string>(keys: readonly K[], values: K[]) =>
  Object.fromEntries(keys.map((k) => [k, values.filter((v) => v === k).length])) as Record<K, number>;

export function aggregate(
  all: ReportRow[],
  filter: ReportQuery,
  nowMs: number,
  visibility: Visibility,
  options: AggregateOptions = {},
): OnboardingReport {
  const rows = filter.startMonth ? all.filter((r) => r.summary.contractSignedAt.startsWith(filter.startMonth!)) : all;
  const summaries = rows.map((r) => r.summary);

  const ended = summaries.filter(
    (s) => s.phase === 'graduated' || s.phase === 'offboarded' || nowMs >= Date.parse(s.contractSignedAt) + s.planDays * DAY,
  );
  const graduated = ended.filter((s) => s.phase === 'graduated').length;
  const dealDays = present(summaries.map((s) => s.indicators.deal));
  const yearIn = summaries.filter((s) => s.indicators.deal !== null || nowMs - Date.parse(s.contractSignedAt) >= 365 * DAY);
  const activated = yearIn.filter((s) => s.indicators.deal !== null && s.indicators.deal <= 365).length;
  const scores = present(summaries.map((s) => s.indicators.satisfaction));
  // Each certification's first attempt counts: a partner with two roles attempts two (older memos: the primary one).
  const certAttempts = summaries.map((s) => s.indicators.certFirst ?? (s.indicators.certFirstPass === null ? { attempts: 0, passed: 0 } : { attempts: 1, passed: s.indicators.certFirstPass ? 1 : 0 }));
  const certTotals = { attempts: sum(certAttempts.map((c) => c.attempts)), passed: sum(certAttempts.map((c) => c.passed)) };
  const registered = sum(summaries.map((s) => s.opps.registered));
  const won = sum(summaries.map((s) => s.opps.won));

  const funnel = Phase.options.map((phase) => ({
    phase,
    current: summaries.filter((s) => s.phase === phase).length,
    stalls: stalls(summaries, phase),
  }));
  const [topBottleneck] = funnel
    .flatMap(({ phase, stalls: list }) => list.map((m) => ({ phase, ...m })))
    .sort((a, b) => b.partners - a.partners);
  const atRisk = rows.filter((r) => r.summary.health === 'at_risk').sort((a, b) => a.partnerId.localeCompare(b.partnerId));

  return {
    generatedAt: new Date(nowMs).toISOString(),
    filter,
    partners: rows.length,
    unprojected: visibility.unprojected,
    byPhase: countBy(LifecyclePhase.options, summaries.map((s) => s.phase)),
    byHealth: countBy(Health.options, summaries.map((s) => s.health)),
    leading: {
      timeToPortalAccessHours: leading(summaries, nowMs, (i) => i.portal, 'hours', 48),
      timeToFirstTrainingDays: leading(summaries, nowMs, (i) => i.training, 'days', 14),
      timeToFirstRegistrationDays: leading(summaries, nowMs, (i) => i.registration, 'days', 45),
      timeToFirstEngagementDays: leading(summaries, nowMs, (i) => i.engagement, 'days', 60),
    },
    lagging: {
      completionRate: indicator(ratio(graduated, ended.length), ended.length, 'ratio', { op: '>', value: 0.8 }),
      activationRate: indicator(ratio(activated, yearIn.length), yearIn.length, 'ratio', { op: '>', value: 0.6 }),
      timeToFirstDealDays: indicator(quantile(dealDays, 0.5), dealDays.length, 'days', { op: '<', value: 120 }),
      satisfaction: indicator(scores.length ? sum(scores) / scores.length : null, scores.length, 'score', { op: '>', value: 8 }),
    },
    quality: {
      certificationFirstAttemptPassRate: indicator(
        ratio(certTotals.passed, certTotals.attempts),
        certTotals.attempts,
        'ratio',
        { op: '>', value: 0.85 },
      ),
      opportunityQualificationRate: indicator(
        ratio(sum(summaries.map((s) => s.opps.qualified)), registered),
        registered,
        'ratio',
        { op: '>', value: 0.4 },
      ),
      dealCycleDays: indicator(
        ratio(sum(summaries.map((s) => s.opps.wonCycleDays)), won),
        won,
        'days',
        options.dealCycleTargetDays === undefined ? null : { op: '<', value: options.dealCycleTargetDays },
      ),
    },
    funnel,
    topBottleneck: topBottleneck ?? null,
    atRisk: {
      total: atRisk.length,
      partners: atRisk
        .slice(0, AT_RISK_LISTED)
        .map((r) => ({ partnerId: r.partnerId, name: r.name, manager: r.summary.manager, phase: r.summary.phase })),
    },
    source: { pages: visibility.pages, memoBytes: visibility.memoBytes },
  };
}
