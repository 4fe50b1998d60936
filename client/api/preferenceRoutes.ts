/**
 * Notification preferences over HTTP (docs/preferences.md):
 *
 * - `GET|PATCH /v1/preferences/{recipientId}`: JSON, for managers and ops (any
 *   recipient), or for the recipient themself with their signed link's token
 *   (`?token=`), which works for that one recipient only;
 * - `GET /unsubscribe?token=`: the page behind the link in every e-mail. It only
 *   shows the choice: link scanners that open every URL change nothing;
 * - `POST /unsubscribe?token=`: the change, from the page's buttons, or from a
 *   mail client's RFC 8058 one-click unsubscribe (body `List-Unsubscribe=One-Click`).
 */
import { z } from 'zod';
import { PreferencesChange, type PreferencesView } from '../../workflows/preferences';
import { fieldErrors } from '../../workflows/types';
import type { PreferencesService, VerifiedLink } from '../preferences';
import { HttpError } from './errors';
import { HTML_CONTENT_TYPE, PAGE_HEADERS, changedPage, errorPage, preferencesPage, type PageContext } from './preferencePages';
import { defineRoute, type ApiRoute, type Reply, type RouteContext } from './route';
import { parseOrThrow } from './validation';
import { PreferencesChangeRequest } from '../apiTypes';

export interface PreferencesApi extends PreferencesService {
  /** The program's name, for the pages. */
  programName: string;
}

export const RecipientParam = z.object({
  recipientId: z
    .string()
    .regex(/^[0-9a-f]{32}$/, { message: 'must be a recipient id: the first 32 hex digits of the sha256 of the address (docs/preferences.md)' }),
});

export const LinkQuery = z.object({
  token: z.string().min(1).max(1000).optional().describe("the token of the recipient's signed preferences link, instead of a bearer key"),
});

/** The pages take any token: a missing, repeated or garbled one gets the page that says so (400), never a JSON error. */
export const PageQuery = z.object({
  token: z
    .preprocess((v) => (typeof v === 'string' ? v : undefined), z.string().optional())
    .describe('the token of the signed link in an e-mail'),
});

/** What the unsubscribe page posts: RFC 8058's one-click body, or one of the page's actions. */
export const UnsubscribeForm = z.object({
  'List-Unsubscribe': z.literal('One-Click').optional(),
  action: z.enum(['unsubscribe', 'resubscribe', 'quiet_hours', 'clear_quiet_hours']).optional(),
  start: z.string().max(5).optional().describe('quiet_hours: HH:MM'),
  end: z.string().max(5).optional().describe('quiet_hours: HH:MM'),
  timezone: z.string().max(64).optional().describe('quiet_hours: an IANA time zone'),
});

const LINK_PROBLEMS: Record<Exclude<VerifiedLink, { ok: true }>['reason'], { status: number; title: string; text: string }> = {
  malformed: { status: 400, title: 'This link is incomplete', text: 'Open the link from the e-mail again, or copy all of it.' },
  signature: { status: 403, title: 'This link is not valid', text: 'It was changed or was not made for you. Use the link in a recent e-mail.' },
  expired: { status: 410, title: 'This link has expired', text: 'Use the link in a more recent e-mail, or ask your partner manager.' },
};

/** A token on a JSON route: valid, unexpired, and made for this recipient; else 403. */
function checkToken(ctx: RouteContext, recipientId: string, token: string | undefined): boolean {
  if (token === undefined) return false;
  const { links } = ctx.preferences;
  if (!links) throw new HttpError(403, 'forbidden', 'preference links are off here (PREFERENCES_SECRET is not set): use an API key');
  const link = links.verify(token);
  if (!link.ok) throw new HttpError(403, 'forbidden', `the preferences link is not valid: ${LINK_PROBLEMS[link.reason].title.toLowerCase()}`);
  if (link.recipientId !== recipientId) throw new HttpError(403, 'forbidden', 'the preferences link was made for another recipient');
  return true;
}

const page = (status: number, body: string): Reply => ({ status, body, contentType: HTML_CONTENT_TYPE, headers: PAGE_HEADERS });

/** The link behind a page request, or the page that says what is wrong with it. */
function pageLink(ctx: RouteContext, token: string | undefined): Extract<VerifiedLink, { ok: true }> | Reply {
  const { links } = ctx.preferences;
  if (!links) return page(404, errorPage('Unsubscribe links are off', 'Ask your partner manager to change your e-mail preferences.'));
  const link = token === undefined ? ({ ok: false, reason: 'malformed' } as const) : links.verify(token);
  if (link.ok) return link;
  const problem = LINK_PROBLEMS[link.reason];
  return page(problem.status, errorPage(problem.title, problem.text));
}

const isReply = (x: object): x is Reply => 'status' in x;

function pageContext(ctx: RouteContext, link: Extract<VerifiedLink, { ok: true }>, prefs: PreferencesView): PageContext {
  return { programName: ctx.preferences.programName, hint: link.hint, prefs, expiresAt: link.expiresAt };
}

/** The change a posted form asks for, with what the page says once it is done; or the problems, by field. */
function formChange(form: z.infer<typeof UnsubscribeForm>): { change: PreferencesChange; done: string } | { problems: string[] } {
  const by = 'the recipient, through their unsubscribe link';
  switch (form.action) {
    case undefined:
    case 'unsubscribe':
      return { change: { unsubscribed: true, by }, done: 'You are unsubscribed' };
    case 'resubscribe':
      return { change: { unsubscribed: false, by }, done: 'You are subscribed again' };
    case 'clear_quiet_hours':
      return { change: { quietHours: null, by }, done: 'Quiet hours removed' };
    case 'quiet_hours': {
      const parsed = PreferencesChange.safeParse({ quietHours: { start: form.start, end: form.end, timezone: form.timezone?.trim() }, by });
      if (!parsed.success) return { problems: fieldErrors(parsed.error).map((e) => `${e.field.replace('quietHours.', '')}: ${e.message}`) };
      const q = parsed.data.quietHours!;
      return { change: parsed.data, done: `Quiet hours saved: ${q.start} to ${q.end} (${q.timezone})` };
    }
  }
}

export const PREFERENCE_ROUTES: ApiRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/v1/preferences/{recipientId}',
    operationId: 'getPreferences',
    summary: "A recipient's notification preferences",
    description:
      'The recipient id is the first 32 hex digits of the sha256 of the address (an e-mail address in lower case, or a Slack user id): ' +
      '`npx onboarding preferences <address>` computes it. A recipient who never changed anything has the defaults. Managers and ops ' +
      "read anyone's; the recipient reads their own with their link's token.",
    access: { roles: ['manager', 'ops'], link: true },
    params: RecipientParam,
    query: LinkQuery,
    responses: { 200: { description: 'the preferences', schema: 'PreferencesView' } },
    handle: async ({ params, query }, ctx) => {
      checkToken(ctx, params.recipientId, query.token);
      return { status: 200, body: await ctx.preferences.store.view(params.recipientId) };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/v1/preferences/{recipientId}',
    operationId: 'changePreferences',
    summary: "Change a recipient's notification preferences",
    description:
      'Each field given replaces the current one (`quietHours: null` clears them). Essential messages (the opportunity SLA, and ' +
      'what the playbook marks essential) are delivered whatever the preferences say. Applied as the setPreferences Update of the ' +
      "recipient's workflow; notification workers see the change within 30 seconds.",
    access: { roles: ['manager', 'ops'], link: true },
    params: RecipientParam,
    query: LinkQuery,
    body: 'PreferencesChange',
    parseBody: (raw) => parseOrThrow(PreferencesChangeRequest, raw),
    responses: { 200: { description: 'the preferences after the change', schema: 'PreferencesView' } },
    handle: async ({ params, query, body }, ctx) => {
      const byLink = checkToken(ctx, params.recipientId, query.token);
      const by = byLink ? 'the recipient, through their preferences link' : (body.by ?? 'API');
      return { status: 200, body: await ctx.preferences.store.change(params.recipientId, { ...body, by }) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/unsubscribe',
    operationId: 'unsubscribePage',
    summary: 'The page behind the unsubscribe link in every e-mail',
    description:
      'Shows the choice (unsubscribe, or quiet hours) and changes nothing: link scanners that open every URL in a mail do no harm. ' +
      '400 for an incomplete link, 403 for a changed or foreign one, 410 for an expired one, 404 when links are off.',
    access: 'public',
    query: PageQuery,
    responses: {
      200: { description: 'the page', contentType: HTML_CONTENT_TYPE },
      400: { description: 'the link is incomplete (no token, or not one this API made)', contentType: HTML_CONTENT_TYPE },
      403: { description: 'the link was changed, or signed with another secret', contentType: HTML_CONTENT_TYPE },
      404: { description: 'unsubscribe links are off (PREFERENCES_SECRET is not set)', contentType: HTML_CONTENT_TYPE },
      410: { description: 'the link has expired', contentType: HTML_CONTENT_TYPE },
      503: { description: 'Temporal is unreachable', schema: 'ApiError' },
    },
    handle: async ({ query }, ctx) => {
      const link = pageLink(ctx, query.token);
      if (isReply(link)) return link;
      const prefs = await ctx.preferences.store.view(link.recipientId);
      return page(200, preferencesPage(pageContext(ctx, link, prefs)));
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/unsubscribe',
    operationId: 'unsubscribe',
    summary: 'Unsubscribe (RFC 8058 one-click), subscribe again, or set quiet hours, with the link in an e-mail',
    description:
      'A mail client\'s one-click unsubscribe posts `List-Unsubscribe=One-Click`; the page posts the same, or an `action`. Without an ' +
      'action it unsubscribes. Answers a page saying what is now true.',
    access: 'public',
    query: PageQuery,
    body: 'UnsubscribeForm',
    bodyType: 'form',
    parseBody: (raw) => UnsubscribeForm.safeParse(raw ?? {}),
    responses: {
      200: { description: 'done: the page says what is now true', contentType: HTML_CONTENT_TYPE },
      400: { description: 'the link is incomplete, or the form asks for something invalid: nothing changed', contentType: HTML_CONTENT_TYPE },
      403: { description: 'the link was changed, or signed with another secret', contentType: HTML_CONTENT_TYPE },
      404: { description: 'unsubscribe links are off (PREFERENCES_SECRET is not set)', contentType: HTML_CONTENT_TYPE },
      410: { description: 'the link has expired', contentType: HTML_CONTENT_TYPE },
      503: { description: 'Temporal is unreachable', schema: 'ApiError' },
    },
    handle: async ({ query, body }, ctx) => {
      const link = pageLink(ctx, query.token);
      if (isReply(link)) return link;
      const asked = body.success ? formChange(body.data) : { problems: fieldErrors(body.error).map((e) => `${e.field}: ${e.message}`) };
      if ('problems' in asked) {
        return page(400, errorPage('That did not work', `Nothing was changed. ${asked.problems.join('; ')}. Go back and try again.`));
      }
      const prefs = await ctx.preferences.store.change(link.recipientId, asked.change);
      return page(200, changedPage(pageContext(ctx, link, prefs), asked.done));
    },
  }),
];
