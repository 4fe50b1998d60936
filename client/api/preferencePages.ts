/**
 * The small HTML pages behind the unsubscribe link: no login, no script, one
 * form per choice. Opening the link (GET) only shows the page, so link scanners
 * that fetch every URL in a mail change nothing; every change is a POST.
 */
import type { PreferencesView } from '../../workflows/preferences';

export const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';

/** Never cached or framed; the link's token never leaks through a Referer; no script, styles inline. */
export const PAGE_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

const esc = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function layout(title: string, body: string[]): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${esc(title)}</title>`,
    '<style>body{font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1f2933;max-width:560px;margin:32px auto;padding:0 16px}',
    'h1{font-size:22px}h2{font-size:18px;margin-top:32px}button{font-size:16px;padding:8px 16px;cursor:pointer}',
    'input{font-size:16px;padding:4px}.muted{color:#6b7280;font-size:13px}form{margin:16px 0}label{margin-right:8px}</style>',
    '</head><body>',
    ...body,
    '</body></html>',
  ].join('\n');
}

export interface PageContext {
  programName: string;
  /** The masked address the link was made for, e.g. `l***@acme.example`. */
  hint: string;
  prefs: PreferencesView;
  expiresAt: string;
}

const ESSENTIAL_NOTE =
  'Essential messages still reach you: for example the welcome with your onboarding plan, the answer to a deal registration ' +
  'that could not be accepted, and deadlines or decisions that cannot wait.';

function quietHoursForm(prefs: PreferencesView): string[] {
  const q = prefs.quietHours;
  const current = q ? `<p>Your quiet hours: ${esc(q.start)} to ${esc(q.end)} (${esc(q.timezone)}).</p>` : '';
  return [
    '<h2>Quiet hours</h2>',
    '<p>Messages that can wait are held back during your quiet hours and arrive when they end.</p>',
    current,
    '<form method="post"><input type="hidden" name="action" value="quiet_hours">',
    `<label>From <input name="start" type="time" required value="${esc(q?.start ?? '18:00')}"></label>`,
    `<label>to <input name="end" type="time" required value="${esc(q?.end ?? '08:00')}"></label>`,
    `<label>time zone <input name="timezone" required placeholder="Europe/Berlin" value="${esc(q?.timezone ?? '')}"></label>`,
    '<button type="submit">Save quiet hours</button></form>',
    ...(q ? ['<form method="post"><input type="hidden" name="action" value="clear_quiet_hours"><button type="submit">No quiet hours</button></form>'] : []),
  ];
}

/** What opening the link shows: the choice, never a change. */
export function preferencesPage(ctx: PageContext): string {
  const { prefs } = ctx;
  const who = `<p>For <strong>${esc(ctx.hint)}</strong>, from the ${esc(ctx.programName)}.</p>`;
  const main = prefs.unsubscribed
    ? [
        '<h1>You are unsubscribed</h1>',
        who,
        `<p>You get no onboarding reminders or updates. ${esc(ESSENTIAL_NOTE)}</p>`,
        '<form method="post"><input type="hidden" name="action" value="resubscribe"><button type="submit">Subscribe again</button></form>',
      ]
    : [
        '<h1>Unsubscribe from onboarding reminders?</h1>',
        who,
        `<p>You will no longer get reminders and updates, by e-mail or Slack. ${esc(ESSENTIAL_NOTE)}</p>`,
        // The body RFC 8058 mail clients send with their one-click unsubscribe: the same request.
        '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>',
      ];
  return layout(`Notification preferences · ${ctx.programName}`, [
    ...main,
    ...quietHoursForm(prefs),
    `<p class="muted">This link works until ${esc(ctx.expiresAt.slice(0, 10))}; every new e-mail carries a fresh one.</p>`,
  ]);
}

/** What a change answers: what is now true, and the way back. */
export function changedPage(ctx: PageContext, done: string): string {
  return layout(`Notification preferences · ${ctx.programName}`, [
    `<h1>${esc(done)}</h1>`,
    `<p>For <strong>${esc(ctx.hint)}</strong>, from the ${esc(ctx.programName)}.</p>`,
    ...(ctx.prefs.unsubscribed
      ? [
          `<p>${esc(ESSENTIAL_NOTE)}</p>`,
          '<form method="post"><input type="hidden" name="action" value="resubscribe"><button type="submit">Undo: subscribe again</button></form>',
        ]
      : [
          '<p>You get onboarding reminders and updates.</p>',
          '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>',
        ]),
    ...quietHoursForm(ctx.prefs),
  ]);
}

export function errorPage(title: string, text: string): string {
  return layout(title, [`<h1>${esc(title)}</h1>`, `<p>${esc(text)}</p>`]);
}
