/**
 * The managers' web console, served by the API at `/` with no build step: our
 * own ES modules (./console/*.js, type-checked with JSDoc by `npm run lint`)
 * and, straight from node_modules, Preact + htm (rendering), Pico CSS (the
 * look of plain semantic HTML) and Chart.js (charts). Files are read once at
 * start; only the files listed here are served.
 *
 * Security: the console calls the same API with `Authorization: Bearer <key>`
 * (the key lives in the tab's sessionStorage, never in a URL or a cookie), so
 * a cross-site page cannot make the browser send it; ./crossSite.ts refuses
 * state-changing requests from other origins even when the API is open. The
 * page's Content-Security-Policy allows our own scripts only (the import map
 * by its hash) and no framing (no clickjacking of the decision buttons).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { defineRoute, type ApiRoute } from './route';

const own = (file: string) => path.join(__dirname, 'console', file);
/** A file of an installed package, found along Node's module paths (packages may not export their files). */
function fromPackage(pkg: string, file: string): string {
  for (const dir of require.resolve.paths(pkg) ?? []) {
    const candidate = path.join(dir, pkg, file);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`the console needs ${pkg}/${file}: run npm ci`);
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** Every file the console is made of, by the name it is served under (`/console/<name>`). */
const FILES = {
  'app.js': { file: own('app.js'), type: JS },
  'api.js': { file: own('api.js'), type: JS },
  'format.js': { file: own('format.js'), type: JS },
  'ui.js': { file: own('ui.js'), type: JS },
  'portfolio.js': { file: own('portfolio.js'), type: JS },
  'partner.js': { file: own('partner.js'), type: JS },
  'report.js': { file: own('report.js'), type: JS },
  'console.css': { file: own('console.css'), type: CSS },
  'preact.mjs': { file: fromPackage('preact', 'dist/preact.mjs'), type: JS },
  'hooks.mjs': { file: fromPackage('preact', 'hooks/dist/hooks.mjs'), type: JS },
  'htm.mjs': { file: fromPackage('htm', 'dist/htm.mjs'), type: JS },
  'chart.umd.js': { file: fromPackage('chart.js', 'dist/chart.umd.min.js'), type: JS },
  'pico.min.css': { file: fromPackage('@picocss/pico', 'css/pico.min.css'), type: CSS },
} as const;
type FileName = keyof typeof FILES;
const FILE_NAMES = Object.keys(FILES) as [FileName, ...FileName[]];

/** Bare module names the console's modules import, resolved by the page's import map. */
const IMPORT_MAP = JSON.stringify({
  imports: { preact: '/console/preact.mjs', 'preact/hooks': '/console/hooks.mjs', htm: '/console/htm.mjs' },
});

function indexHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>Partner onboarding console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/pico.min.css">
<link rel="stylesheet" href="/console/console.css">
<script type="importmap">${IMPORT_MAP}</script>
<script src="/console/chart.umd.js" defer></script>
<script type="module" src="/console/app.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<div id="root"><main class="container" id="main"><p aria-busy="true">Loading the console…</p></main></div>
<noscript><main class="container"><p>The console needs JavaScript. The same data is in the API: <a href="/openapi.json">/openapi.json</a>.</p></main></noscript>
</body>
</html>
`;
}

function securityHeaders(): Record<string, string> {
  const importMapHash = createHash('sha256').update(IMPORT_MAP).digest('base64');
  return {
    'content-security-policy': [
      "default-src 'none'",
      `script-src 'self' 'sha256-${importMapHash}'`,
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  };
}

/** GET / and GET /console/{file}: public like /openapi.json (the data behind them needs a key). */
export function consoleRoutes(): ApiRoute[] {
  const headers = securityHeaders();
  const html = indexHtml();
  const files = new Map(FILE_NAMES.map((name) => [name, { body: fs.readFileSync(FILES[name].file, 'utf8'), type: FILES[name].type }]));
  return [
    defineRoute({
      method: 'GET',
      path: '/',
      operationId: 'console',
      summary: "The managers' web console (HTML)",
      description: 'Sign in with an API key of the manager or ops role (kept in the browser tab, sent as a bearer header).',
      access: 'public',
      responses: { 200: { description: 'the console page', contentType: 'text/html; charset=utf-8' } },
      handle: async () => ({ status: 200, body: html, contentType: 'text/html; charset=utf-8', headers }),
    }),
    defineRoute({
      method: 'GET',
      path: '/console/{file}',
      operationId: 'consoleFile',
      summary: "One of the console's scripts or style sheets",
      access: 'public',
      params: z.object({ file: z.enum(FILE_NAMES) }),
      responses: { 200: { description: 'the file', contentType: [JS, CSS] } },
      handle: async ({ params }) => {
        const file = files.get(params.file)!;
        return { status: 200, body: file.body, contentType: file.type, headers };
      },
    }),
  ];
}
