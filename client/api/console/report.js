// @ts-check
/**
 * The program report: the seed's indicators against their targets, the phase
 * funnel and the milestones where partners stall (Chart.js, each chart with
 * its data as a table too), and the partners at risk.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, queryString } from './api.js';
import { SEGMENTS, label, when } from './format.js';
import { ErrorNote, PageTitle, html } from './ui.js';

/** @typedef {import('./api.js').OnboardingReport} Report */
/** @typedef {import('./api.js').Indicator} Indicator */

const NAMES = {
  timeToPortalAccessHours: 'Time to portal access',
  timeToFirstTrainingDays: 'Time to first training',
  timeToFirstRegistrationDays: 'Time to first deal registration',
  timeToFirstEngagementDays: 'Time to first customer engagement',
  completionRate: 'Onboarding completion rate',
  activationRate: 'Activation rate (first deal or pipeline)',
  timeToFirstDealDays: 'Time to first deal',
  satisfaction: 'Partner satisfaction',
  certificationFirstAttemptPassRate: 'Certification pass rate, first attempt',
  opportunityQualificationRate: 'Opportunity qualification rate',
  dealCycleDays: 'Deal cycle time',
};

/** @param {number | null} value @param {Indicator['unit']} unit */
function amount(value, unit) {
  if (value === null) return '–';
  if (unit === 'ratio') return `${Math.round(value * 100)}%`;
  if (unit === 'hours') return `${Math.round(value * 10) / 10} h`;
  if (unit === 'days') return `${Math.round(value * 10) / 10} days`;
  return `${Math.round(value * 10) / 10} / 10`;
}

/** @param {{ group: string, indicators: Record<string, Indicator> }} props */
function IndicatorRows({ group, indicators }) {
  return Object.entries(indicators).map(
    ([id, i], n) => html`<tr>
      ${n === 0 && html`<th scope="rowgroup" rowspan=${Object.keys(indicators).length}>${group}</th>`}
      <th scope="row">${/** @type {Record<string, string>} */ (NAMES)[id] ?? id}</th>
      <td>${amount(i.value, i.unit)}</td>
      <td>${i.target ? `${i.target.op} ${amount(i.target.value, i.unit)}` : '–'}</td>
      <td>${i.met === null ? html`<span class="muted">${i.target ? 'No data yet' : 'No target'}</span>` : i.met ? html`<mark class="met">Met</mark>` : html`<mark class="missed">Not met</mark>`}</td>
      <td>${i.n}</td>
    </tr>`,
  );
}

/**
 * A long axis label in lines of about `width` characters, broken between words
 * (Chart.js draws an array as lines; a single long line is cut at the chart's edge).
 * @param {string} label
 * @param {number} width
 * @returns {string | string[]}
 */
export function wrapLabel(label, width = 28) {
  if (label.length <= width) return label;
  /** @type {string[]} */
  const lines = [];
  for (const word of label.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

/**
 * A bar chart drawn by Chart.js, with the same numbers in a table for those who cannot see it.
 * @param {{ title: string, summary: string, labels: string[], values: number[], highlight?: number, horizontal?: boolean }} props
 */
function BarChart({ title, summary, labels, values, highlight = -1, horizontal = false }) {
  const canvas = useRef(/** @type {HTMLCanvasElement | null} */ (null));
  useEffect(() => {
    const Chart = /** @type {any} */ (window).Chart;
    if (!canvas.current || !Chart) return undefined;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: horizontal ? labels.map((l) => wrapLabel(l)) : labels,
        datasets: [
          {
            label: title,
            data: values,
            backgroundColor: values.map((_, i) => (i === highlight ? '#c62828' : '#1565c0')),
          },
        ],
      },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: {
          [horizontal ? 'x' : 'y']: { beginAtZero: true, ticks: { precision: 0 } },
          // Every bar keeps its label: the chart grows with them instead of skipping every other one.
          ...(horizontal ? { y: { ticks: { autoSkip: false } } } : {}),
        },
      },
    });
    return () => chart.destroy();
  }, [JSON.stringify([labels, values, highlight])]);
  return html`
    <figure>
      <figcaption><strong>${title}</strong></figcaption>
      <div class="chart" style=${horizontal ? `height: max(18rem, ${labels.length * 2.75}rem)` : ''}><canvas ref=${canvas} role="img" aria-label=${summary}></canvas></div>
      <details>
        <summary>Show the numbers</summary>
        <table>
          <tbody>${labels.map((l, i) => html`<tr><th scope="row">${l}</th><td>${values[i]}</td></tr>`)}</tbody>
        </table>
      </details>
    </figure>`;
}

/** @param {{ params: URLSearchParams }} props */
export function Report({ params }) {
  const filters = { segment: params.get('segment') ?? '', manager: params.get('manager') ?? '', startMonth: params.get('startMonth') ?? '' };
  const key = queryString(filters);
  const [report, setReport] = useState(/** @type {Report | null} */ (null));
  const [error, setError] = useState(/** @type {unknown} */ (null));

  useEffect(() => {
    setError(null);
    api.report(filters).then(setReport, setError);
  }, [key]);

  /** @param {SubmitEvent} e */
  const submit = (e) => {
    e.preventDefault();
    const form = new FormData(/** @type {HTMLFormElement} */ (e.currentTarget));
    const next = Object.fromEntries(['segment', 'manager', 'startMonth'].map((n) => [n, String(form.get(n) ?? '').trim()]));
    location.hash = `#/report${queryString(next)}`;
  };

  const phases = /** @type {const} */ (['foundation', 'activation', 'momentum', 'graduated', 'offboarded']);
  const stalls = report
    ? report.funnel
        .flatMap((f) => f.stalls.map((s) => ({ label: `${s.title} (${f.phase})`, partners: s.partners, phase: f.phase, id: s.milestoneId })))
        .sort((a, b) => b.partners - a.partners)
        .slice(0, 8)
    : [];
  const top = report?.topBottleneck;
  const topIndex = top ? stalls.findIndex((s) => s.id === top.milestoneId && s.phase === top.phase) : -1;

  return html`
    <${PageTitle}>Program report<//>
    <form class="filters four" aria-label="Report filters" onSubmit=${submit}>
      <label>Segment
        <select name="segment" value=${filters.segment}>
          <option value="">All</option>
          ${SEGMENTS.map((s) => html`<option value=${s}>${label(s)}</option>`)}
        </select>
      </label>
      <label>Manager e-mail <input name="manager" type="email" value=${filters.manager} /></label>
      <label>Contract month <input name="startMonth" type="month" value=${filters.startMonth} /></label>
      <div class="actions"><button type="submit">Apply</button></div>
    </form>
    <${ErrorNote} error=${error} />
    ${!report && !error && html`<p aria-busy="true">Computing the report…</p>`}
    ${report &&
    html`
      <p class="muted">${report.partners} partners, generated ${when(report.generatedAt)}${report.unprojected ? `; ${report.unprojected} not yet in the report` : ''}.</p>
      <section aria-labelledby="indicators-title">
        <h2 id="indicators-title">Indicators against targets</h2>
        <table class="indicators">
          <thead><tr><th scope="col">Group</th><th scope="col">Indicator</th><th scope="col">Value</th><th scope="col">Target</th><th scope="col">Result</th><th scope="col">Partners</th></tr></thead>
          <tbody>
            <${IndicatorRows} group="Leading" indicators=${report.leading} />
            <${IndicatorRows} group="Lagging" indicators=${report.lagging} />
            <${IndicatorRows} group="Quality" indicators=${report.quality} />
          </tbody>
        </table>
      </section>
      <section class="grid charts" aria-label="Charts">
        <${BarChart}
          title="Phase funnel: partners by phase now"
          summary=${phases.map((p) => `${label(p)}: ${report.byPhase[p]}`).join(', ')}
          labels=${phases.map(label)}
          values=${phases.map((p) => report.byPhase[p])}
        />
        <${BarChart}
          title=${top
            ? `Where partners stall: top bottleneck “${top.title}” in ${top.phase} (${top.partners} partner${top.partners === 1 ? '' : 's'} overdue or late)`
            : 'Where partners stall'}
          summary=${stalls.length ? stalls.map((s) => `${s.label}: ${s.partners}`).join(', ') : 'No milestone is overdue or was completed late.'}
          labels=${stalls.map((s) => s.label)}
          values=${stalls.map((s) => s.partners)}
          highlight=${topIndex}
          horizontal=${true}
        />
      </section>
      <section aria-labelledby="risk-title">
        <h2 id="risk-title">Partners at risk (${report.atRisk.total})</h2>
        ${report.atRisk.partners.length === 0
          ? html`<p>No partner is at risk.</p>`
          : html`<table>
              <thead><tr><th scope="col">Partner</th><th scope="col">Phase</th><th scope="col">Manager</th></tr></thead>
              <tbody>
                ${report.atRisk.partners.map(
                  (p) => html`<tr>
                    <th scope="row"><a href=${`#/partners/${encodeURIComponent(p.partnerId)}`}>${p.name ?? p.partnerId}</a></th>
                    <td>${label(p.phase)}</td>
                    <td>${p.manager}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
      </section>`}`;
}
