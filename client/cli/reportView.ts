/** The onboarding report as text: indicators against their targets, the funnel, partners at risk. */
import type { Indicator, LeadingIndicator, MilestoneCount, OnboardingReport } from '../apiTypes';
import { fields, table, when, type Cell } from './format';

export const INDICATOR_COLUMNS = ['group', 'indicator', 'value', 'unit', 'target', 'met', 'n', 'p90', 'share meeting target'];

const target = (i: Indicator) => (i.target ? `${i.target.op} ${i.target.value}` : null);

/** One row per indicator, in INDICATOR_COLUMNS order. */
export function indicatorRows(r: OnboardingReport): Cell[][] {
  const groups: [string, Record<string, Indicator | LeadingIndicator>][] = [
    ['leading', r.leading],
    ['lagging', r.lagging],
    ['quality', r.quality],
  ];
  return groups.flatMap(([group, indicators]) =>
    Object.entries(indicators).map(([name, i]) => [
      group,
      name,
      i.value,
      i.unit,
      target(i),
      i.met,
      i.n,
      'p90' in i ? i.p90 : null,
      'shareMeetingTarget' in i ? i.shareMeetingTarget : null,
    ]),
  );
}

/** `First deal or pipeline [first_deal_or_pipeline]`: the title a manager knows, and the id the API takes. */
function milestoneLabel(m: MilestoneCount): string {
  return m.title === m.milestoneId ? m.milestoneId : `${m.title} [${m.milestoneId}]`;
}

export function renderReport(r: OnboardingReport): string {
  const filter = Object.entries(r.filter).map(([k, v]) => `${k}=${v}`).join(' ') || 'all partners';
  const counts = (record: Record<string, number>) => Object.entries(record).map(([k, n]) => `${k} ${n}`).join(', ');
  const top = r.topBottleneck;
  const sections = [
    fields([
      ['report', `${filter}, ${when(r.generatedAt)} UTC`],
      ['partners', `${r.partners}${r.unprojected ? ` (+${r.unprojected} without a summary yet)` : ''}`],
      ['by phase', counts(r.byPhase)],
      ['by health', counts(r.byHealth)],
      ['top bottleneck', top ? `${milestoneLabel(top)} (${top.phase}): ${top.partners} partner(s) overdue or late` : null],
    ]),
    table(INDICATOR_COLUMNS, indicatorRows(r)),
    table(
      ['phase', 'now', 'stalls (overdue or late: partners)'],
      r.funnel.map((f) => [f.phase, f.current, f.stalls.slice(0, 5).map((s) => `${milestoneLabel(s)}: ${s.partners}`).join(', ')]),
    ),
  ];
  if (r.atRisk.total) {
    sections.push(
      table(
        ['at risk', 'name', 'manager', 'phase'],
        r.atRisk.partners.map((p) => [p.partnerId, p.name, p.manager, p.phase]),
      ) + (r.atRisk.total > r.atRisk.partners.length ? `\n... and ${r.atRisk.total - r.atRisk.partners.length} more` : ''),
    );
  }
  return sections.join('\n\n');
}
