// @ts-check
/**
 * The console's shell: sign-in, navigation and the hash router
 * (#/ the portfolio, #/partners/<id> a partner, #/report the program report).
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, request, session, whenUnauthorized } from './api.js';
import { Partner } from './partner.js';
import { Portfolio } from './portfolio.js';
import { Report } from './report.js';
import { ErrorNote, PageTitle, html } from './ui.js';

/** @returns {{ path: string, params: URLSearchParams }} */
function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  return { path: path || '/', params: new URLSearchParams(query) };
}

function useRoute() {
  const [route, setRoute] = useState(parseHash);
  useEffect(() => {
    const update = () => setRoute(parseHash());
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

/** @typedef {'checking' | 'signed-out' | 'signed-in'} AuthState */

/** Is a key needed? The API answers a keyless list when it is open (loopback, no API_KEYS). */
async function keyRequired() {
  try {
    await request('GET', '/v1/partners?pageSize=1', undefined, { key: null });
    return false;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return true;
    throw err;
  }
}

/** @param {{ needsKey: boolean, onSignedIn: () => void }} props */
function SignIn({ needsKey, onSignedIn }) {
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const [busy, setBusy] = useState(false);
  /** @param {SubmitEvent} e */
  const submit = async (e) => {
    e.preventDefault();
    const form = new FormData(/** @type {HTMLFormElement} */ (e.currentTarget));
    const key = String(form.get('key') ?? '').trim();
    const name = String(form.get('name') ?? '').trim();
    setBusy(true);
    setError(null);
    try {
      // The key must open the portfolio (manager role) before it is kept.
      if (needsKey) await request('GET', '/v1/partners?pageSize=1', undefined, { key });
      session.save(key, name);
      onSignedIn();
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      setError(status === 401 ? 'This API key is not valid.' : status === 403 ? 'This key does not have the manager role.' : err);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <main class="container narrow" id="main">
      <${PageTitle}>Partner onboarding console<//>
      <p>
        ${needsKey
          ? 'Sign in with your API key (manager or ops role). It is kept in this browser tab only and is sent with each request; closing the tab forgets it.'
          : 'This API runs without keys, on this machine only. Tell us who you are: your name goes with your decisions.'}
      </p>
      <form onSubmit=${submit} aria-describedby="sign-in-error">
        ${needsKey &&
        html`<label>API key <input name="key" type="password" autocomplete="off" required minlength="16" /></label>`}
        <label>Your name (shown with your decisions) <input name="name" autocomplete="name" required maxlength="200" /></label>
        <button type="submit" aria-busy=${busy}>Sign in</button>
      </form>
      <div id="sign-in-error"><${ErrorNote} error=${error} /></div>
    </main>`;
}

function App() {
  const route = useRoute();
  const [auth, setAuth] = useState(/** @type {AuthState} */ ('checking'));
  const [needsKey, setNeedsKey] = useState(true);
  const [error, setError] = useState(/** @type {unknown} */ (null));

  useEffect(() => {
    whenUnauthorized(() => {
      session.clear();
      setAuth('signed-out');
    });
    keyRequired().then(
      (needed) => {
        setNeedsKey(needed);
        setAuth(session.name() && (!needed || session.key()) ? 'signed-in' : 'signed-out');
      },
      (err) => setError(err),
    );
  }, []);

  if (error) return html`<main class="container" id="main"><${ErrorNote} error=${error} /></main>`;
  if (auth === 'checking') return html`<main class="container" id="main"><p aria-busy="true">Loading…</p></main>`;
  if (auth === 'signed-out') return html`<${SignIn} needsKey=${needsKey} onSignedIn=${() => setAuth('signed-in')} />`;

  const signOut = () => {
    session.clear();
    setAuth('signed-out');
  };
  const partner = /^\/partners\/(.+)$/.exec(route.path);
  const page = partner
    ? html`<${Partner} key=${partner[1]} partnerId=${decodeURIComponent(partner[1])} />`
    : route.path === '/report'
      ? html`<${Report} params=${route.params} />`
      : html`<${Portfolio} params=${route.params} />`;
  const current = partner ? 'partner' : route.path === '/report' ? 'report' : 'portfolio';
  return html`
    <header class="container">
      <nav aria-label="Main">
        <ul><li><strong>Partner onboarding</strong></li></ul>
        <ul>
          <li><a href="#/" aria-current=${current === 'portfolio' ? 'page' : undefined}>Portfolio</a></li>
          <li><a href="#/report" aria-current=${current === 'report' ? 'page' : undefined}>Program report</a></li>
          <li><span class="muted">${session.name()}</span></li>
          <li><button class="outline secondary small" onClick=${signOut}>Sign out</button></li>
        </ul>
      </nav>
    </header>
    <main class="container" id="main">${page}</main>`;
}

render(html`<${App} />`, /** @type {HTMLElement} */ (document.getElementById('root')));
