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
import type { Indicator, LeadingIndicator, MilestoneCount, OnboardingReport, ReportQuery } from '../apiTypes';

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
  /** A milestone id's title, for the stalls a manager reads (client/reports/digest.ts `milestoneTitles`); default: the id. */
  titleOf?: (milestoneId: string) => string;
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
  return quantileOfSorted(Float64Array.from(values).sort(), q);
}

/** `quantile` of values sorted ascending (a typed array sorts numbers without a comparator). */
function quantileOfSorted(sorted: ArrayLike<number>, q: number): number | null {
  if (!sorted.length) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo]! + (sorted[Math.ceil(pos)]! - sorted[lo]!) * (pos - lo);
}

/** The order `localeCompare` gives, at a fraction of its cost per comparison. */
const byLocale = new Intl.Collator().compare;

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

/**
 * What a report reads from a summary besides its numbers: its dates parsed and
 * its late milestones split. Summaries are immutable and the API's projection
 * keeps them between reports, so this is worked out once per summary, not once
 * per indicator and report (docs/reports.md: 100,000 partners).
 */
interface Derived {
  contractMs: number;
  offboardedMs: number | null;
  late: [Phase, string[]][];
}
const derivedCache = new WeakMap<ReportSummary, Derived>();

function derived(s: ReportSummary): Derived {
  let d = derivedCache.get(s);
  if (!d) {
    d = {
      contractMs: Date.parse(s.contractSignedAt),
      offboardedMs: s.offboardedAt ? Date.parse(s.offboardedAt) : null,
      late: (Object.entries(s.late) as [Phase, string | undefined][]).flatMap(([phase, ids]) => (ids ? [[phase, ids.split(' ')] as [Phase, string[]]] : [])),
    };
    derivedCache.set(s, d);
  }
  return d;
}

/** Time from the contract to now, or to the offboarding (the partner's clock stopped then), per summary. */
function elapsedMsOf(summaries: ReportSummary[], nowMs: number): Float64Array {
  return Float64Array.from(summaries, (s) => {
    const d = derived(s);
    return (d.offboardedMs ?? nowMs) - d.contractMs;
  });
}

function leading(
  summaries: ReportSummary[],
  elapsed: Float64Array,
  pick: (i: ReportSummary['indicators']) => number | null,
  unit: 'hours' | 'days',
  limit: number,
): LeadingIndicator {
  const target: Target = { op: '<', value: limit };
  const limitMs = limit * (unit === 'hours' ? HOUR : DAY);
  const values: number[] = [];
  let within = 0;
  // Partners past the target without it have missed it too: they count against the share.
  let missing = 0;
  summaries.forEach((s, i) => {
    const v = pick(s.indicators);
    if (v === null) {
      if (elapsed[i]! >= limitMs) missing += 1;
      return;
    }
    values.push(v);
    if (v < limit) within += 1;
  });
  const sorted = Float64Array.from(values).sort();
  const share = ratio(within, values.length + missing);
  const p90 = quantileOfSorted(sorted, 0.9);
  return {
    ...indicator(quantileOfSorted(sorted, 0.5), values.length, unit, target),
    p90: p90 === null ? null : round(p90, unit),
    shareMeetingTarget: share === null ? null : round(share, 'ratio'),
  };
}

/** Per phase, the milestones overdue or completed late, most frequent first: one pass over the summaries. */
function stallsByPhase(summaries: ReportSummary[], titleOf: (id: string) => string): Record<Phase, MilestoneCount[]> {
  const counts = Object.fromEntries(Phase.options.map((p) => [p, new Map<string, number>()])) as Record<Phase, Map<string, number>>;
  for (const s of summaries) {
    for (const [phase, ids] of derived(s).late) {
      const map = counts[phase];
      if (map) for (const id of ids) map.set(id, (map.get(id) ?? 0) + 1);
    }
  }
  return Object.fromEntries(
    Phase.options.map((phase) => [
      phase,
      [...counts[phase]]
        .map(([milestoneId, partners]) => ({ milestoneId, title: titleOf(milestoneId), partners }))
        .sort((a, b) => b.partners - a.partners || byLocale(a.milestoneId, b.milestoneId)),
    ]),
  ) as Record<Phase, MilestoneCount[]>;
}

function countBy<K extends string>(keys: readonly K[], values: K[]): Record<K, number> {
  const counts = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const v of values) if (v in counts) counts[v] += 1;
  return counts;
}

export function aggregate(
  all: ReportRow[],
  filter: ReportQuery,
  nowMs: number,
  visibility: Visibility,
  options: AggregateOptions = {},
): OnboardingReport {
  const rows = filter.startMonth ? all.filter((r) => r.summary.contractSignedAt.startsWith(filter.startMonth!)) : all;
  const summaries = rows.map((r) => r.summary);
  const sinceContractMs = Float64Array.from(summaries, (s) => nowMs - derived(s).contractMs);
  const elapsed = elapsedMsOf(summaries, nowMs);

  const ended = summaries.filter(
    (s, i) => s.phase === 'graduated' || s.phase === 'offboarded' || sinceContractMs[i]! >= s.planDays * DAY,
  );
  const graduated = ended.filter((s) => s.phase === 'graduated').length;
  const dealDays = present(summaries.map((s) => s.indicators.deal));
  const yearIn = summaries.filter((s, i) => s.indicators.deal !== null || sinceContractMs[i]! >= 365 * DAY);
  const activated = yearIn.filter((s) => s.indicators.deal !== null && s.indicators.deal <= 365).length;
  const scores = present(summaries.map((s) => s.indicators.satisfaction));
  // Each certification's first attempt counts: a partner with two roles attempts two (older memos: the primary one).
  const certAttempts = summaries.map((s) => s.indicators.certFirst ?? (s.indicators.certFirstPass === null ? { attempts: 0, passed: 0 } : { attempts: 1, passed: s.indicators.certFirstPass ? 1 : 0 }));
  const certTotals = { attempts: sum(certAttempts.map((c) => c.attempts)), passed: sum(certAttempts.map((c) => c.passed)) };
  const registered = sum(summaries.map((s) => s.opps.registered));
  const won = sum(summaries.map((s) => s.opps.won));

  const byPhase = countBy(LifecyclePhase.options, summaries.map((s) => s.phase));
  const stalls = stallsByPhase(summaries, options.titleOf ?? ((id) => id));
  const funnel = Phase.options.map((phase) => ({ phase, current: byPhase[phase], stalls: stalls[phase] }));
  const [topBottleneck] = funnel
    .flatMap(({ phase, stalls: list }) => list.map((m) => ({ phase, ...m })))
    .sort((a, b) => b.partners - a.partners);
  const atRisk = rows.filter((r) => r.summary.health === 'at_risk').sort((a, b) => byLocale(a.partnerId, b.partnerId));

  return {
    generatedAt: new Date(nowMs).toISOString(),
    filter,
    partners: rows.length,
    unprojected: visibility.unprojected,
    byPhase,
    byHealth: countBy(Health.options, summaries.map((s) => s.health)),
    leading: {
      timeToPortalAccessHours: leading(summaries, elapsed, (i) => i.portal, 'hours', 48),
      timeToFirstTrainingDays: leading(summaries, elapsed, (i) => i.training, 'days', 14),
      timeToFirstRegistrationDays: leading(summaries, elapsed, (i) => i.registration, 'days', 45),
      timeToFirstEngagementDays: leading(summaries, elapsed, (i) => i.engagement, 'days', 60),
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
