// @ts-check
/** The portfolio: every partner from Temporal visibility, filtered, searched and paged by the API. */
import { useEffect, useState } from 'preact/hooks';
import { api, queryString } from './api.js';
import { HEALTH, LIFECYCLE, SEGMENTS, day, label } from './format.js';
import { ErrorNote, HealthMark, PageTitle, html } from './ui.js';

const FILTERS = /** @type {const} */ (['phase', 'segment', 'health', 'manager', 'q', 'pageSize']);
const PAGE_SIZES = [10, 25, 50, 100];

/** @param {string | null} iso */
const daysSince = (iso) => (iso ? String(Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 86_400_000))) : '–');

/** @param {URLSearchParams} params */
function filtersFrom(params) {
  /** @type {Record<string, string>} */
  const filters = {};
  for (const name of FILTERS) {
    const value = params.get(name);
    if (value) filters[name] = value;
  }
  return filters;
}

/** @param {Record<string, string>} filters */
const go = (filters) => {
  location.hash = `#/${queryString(filters)}`;
};

/** @param {{ name: string, text: string, options: readonly string[], value: string | undefined, onChange: (v: string) => void }} props */
function Select({ name, text, options, value, onChange }) {
  return html`<label>
    ${text}
    <select name=${name} value=${value ?? ''} onChange=${(/** @type {Event} */ e) => onChange(/** @type {HTMLSelectElement} */ (e.currentTarget).value)}>
      <option value="">Any</option>
      ${options.map((o) => html`<option value=${o}>${label(o)}</option>`)}
    </select>
  </label>`;
}

/** @param {{ params: URLSearchParams }} props */
export function Portfolio({ params }) {
  const filters = filtersFrom(params);
  const filterKey = queryString(filters);
  // Page tokens of the pages before this one (the API pages forward; we remember the way back).
  const [tokens, setTokens] = useState(/** @type {(string | undefined)[]} */ ([undefined]));
  const [page, setPage] = useState(/** @type {import('./api.js').PartnerPage | null} */ (null));
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const [busy, setBusy] = useState(true);

  useEffect(() => setTokens([undefined]), [filterKey]);
  const token = tokens[tokens.length - 1];
  useEffect(() => {
    let live = true;
    setBusy(true);
    setError(null);
    api
      .list({ ...filters, pageSize: filters.pageSize ?? '25', pageToken: token })
      .then((p) => live && setPage(p), (err) => live && setError(err))
      .finally(() => live && setBusy(false));
    return () => {
      live = false;
    };
  }, [filterKey, token]);

  /** @param {string} name @param {string} value */
  const set = (name, value) => go({ ...filters, [name]: value });
  /** @param {SubmitEvent} e */
  const submit = (e) => {
    e.preventDefault();
    const form = new FormData(/** @type {HTMLFormElement} */ (e.currentTarget));
    go({ ...filters, manager: String(form.get('manager') ?? '').trim(), q: String(form.get('q') ?? '').trim() });
  };

  const partners = page?.partners ?? [];
  return html`
    <${PageTitle}>Portfolio<//>
    <form class="filters" aria-label="Filter partners" onSubmit=${submit}>
      <${Select} name="phase" text="Phase" options=${LIFECYCLE} value=${filters.phase} onChange=${(/** @type {string} */ v) => set('phase', v)} />
      <${Select} name="segment" text="Segment" options=${SEGMENTS} value=${filters.segment} onChange=${(/** @type {string} */ v) => set('segment', v)} />
      <${Select} name="health" text="Health" options=${HEALTH} value=${filters.health} onChange=${(/** @type {string} */ v) => set('health', v)} />
      <label>Manager e-mail <input name="manager" type="email" value=${filters.manager ?? ''} placeholder="dana@vendor.example" /></label>
      <label>Search partner id <input name="q" value=${filters.q ?? ''} placeholder="starts with…" pattern="[A-Za-z0-9._\-]{1,64}" /></label>
      <div class="actions"><button type="submit">Apply</button><a href="#/" role="button" class="secondary outline">Clear</a></div>
    </form>
    <${ErrorNote} error=${error} />
    <div aria-busy=${busy} aria-live="polite">
      <table class="striped">
        <caption>${busy ? 'Loading partners…' : `${partners.length} partner${partners.length === 1 ? '' : 's'} on page ${tokens.length}`}</caption>
        <thead>
          <tr><th scope="col">Partner</th><th scope="col">Segment</th><th scope="col">Phase</th><th scope="col">Health</th><th scope="col">Manager</th><th scope="col">Contract signed</th><th scope="col">Day</th></tr>
        </thead>
        <tbody>
          ${partners.map(
            (p) => html`<tr>
              <th scope="row"><a href=${`#/partners/${encodeURIComponent(p.partnerId)}`}>${p.name ?? p.partnerId}</a><br /><small class="muted">${p.partnerId}</small></th>
              <td>${label(p.segment ?? '')}</td>
              <td>${label(p.phase ?? '')}</td>
              <td><${HealthMark} health=${p.health} /></td>
              <td>${p.manager ?? '–'}</td>
              <td>${day(p.contractSignedAt ?? p.startedAt)}</td>
              <td>${daysSince(p.contractSignedAt ?? p.startedAt)}</td>
            </tr>`,
          )}
          ${!busy && partners.length === 0 && html`<tr><td colspan="7">No partner matches these filters.</td></tr>`}
        </tbody>
      </table>
    </div>
    <nav class="paging" aria-label="Pages">
      <button class="secondary" disabled=${tokens.length <= 1 || busy} onClick=${() => setTokens(tokens.slice(0, -1))}>Previous page</button>
      <label class="inline">Per page
        <select value=${filters.pageSize ?? '25'} onChange=${(/** @type {Event} */ e) => set('pageSize', /** @type {HTMLSelectElement} */ (e.currentTarget).value)}>
          ${PAGE_SIZES.map((n) => html`<option value=${String(n)}>${n}</option>`)}
        </select>
      </label>
      <button class="secondary" disabled=${!page?.nextPageToken || busy} onClick=${() => setTokens([...tokens, page?.nextPageToken ?? undefined])}>Next page</button>
    </nav>`;
}
