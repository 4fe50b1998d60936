// @ts-check
/**
 * The console's way to the API: same origin, JSON, and the signed-in key as a
 * bearer header. The key stays in this tab's sessionStorage (gone when the tab
 * closes), never in a URL or a cookie, so no other site can make the browser
 * send it.
 */

/** @typedef {import('../../apiTypes').PartnerPage} PartnerPage */
/** @typedef {import('../../apiTypes').PartnerSummary} PartnerSummary */
/** @typedef {import('../../apiTypes').Timeline} Timeline */
/** @typedef {import('../../apiTypes').TimelineEntry} TimelineEntry */
/** @typedef {import('../../apiTypes').OnboardingReport} OnboardingReport */
/** @typedef {import('../../apiTypes').Indicator} Indicator */
/** @typedef {import('../../../workflows/types').OnboardingState} OnboardingState */

const KEY = 'onboarding.console.key';
const NAME = 'onboarding.console.name';

export const session = {
  /** @returns {string | null} */
  key: () => sessionStorage.getItem(KEY),
  /** @returns {string} who decides, as shown in decisions and waivers */
  name: () => sessionStorage.getItem(NAME) ?? '',
  /** @param {string} key @param {string} name */
  save(key, name) {
    if (key) sessionStorage.setItem(KEY, key);
    else sessionStorage.removeItem(KEY);
    sessionStorage.setItem(NAME, name);
  },
  clear() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(NAME);
  },
};

export class ApiError extends Error {
  /** @param {number} status @param {string} message @param {{field: string, message: string}[]} [fields] */
  constructor(status, message, fields = []) {
    super(message);
    this.status = status;
    this.fields = fields;
  }
}

/** Called on a 401: the console shows the sign-in form again. */
let onUnauthorized = () => {};
/** @param {() => void} fn */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

/**
 * @template T
 * @param {'GET' | 'POST'} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {{ key?: string | null }} [options] another key than the session's (sign-in check)
 * @returns {Promise<T>}
 */
export async function request(method, path, body, options = {}) {
  const key = options.key === undefined ? session.key() : options.key;
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'The API did not answer. Is it running?');
  }
  const text = await res.text();
  /** @type {any} */
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (res.ok) return data;
  if (res.status === 401 && options.key === undefined) onUnauthorized();
  throw new ApiError(res.status, (data && data.message) || `${res.status} ${res.statusText}`, (data && data.fields) || []);
}

/** @param {Record<string, string | number | undefined | null>} params */
export function queryString(params) {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') q.set(name, String(value));
  const text = q.toString();
  return text ? `?${text}` : '';
}

export const api = {
  /** @param {Record<string, string | number | undefined>} filters @returns {Promise<PartnerPage>} */
  list: (filters) => request('GET', `/v1/partners${queryString(filters)}`),
  /** @param {string} id @returns {Promise<OnboardingState>} */
  state: (id) => request('GET', `/v1/partners/${encodeURIComponent(id)}`),
  /** @param {string} id @returns {Promise<Timeline>} */
  timeline: (id) => request('GET', `/v1/partners/${encodeURIComponent(id)}/timeline`),
  /** @param {string} id @param {Record<string, unknown>} decision @returns {Promise<OnboardingState>} */
  decide: (id, decision) => request('POST', `/v1/partners/${encodeURIComponent(id)}/decisions`, decision),
  /** @param {string} id @param {Record<string, unknown>} waiver @returns {Promise<OnboardingState>} */
  waive: (id, waiver) => request('POST', `/v1/partners/${encodeURIComponent(id)}/waivers`, waiver),
  /** @param {Record<string, string | undefined>} filters @returns {Promise<OnboardingReport>} */
  report: (filters) => request('GET', `/v1/reports/onboarding${queryString(filters)}`),
};
