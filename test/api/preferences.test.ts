/**
 * Notification preferences over HTTP, against the real dev server and worker:
 * the JSON routes (manager and ops keys for anyone, the recipient's own link for
 * themself), the page behind the unsubscribe link (GET shows, only POST
 * changes; bad, changed, foreign and expired links refused), RFC 8058 one-click,
 * and the recipientPreferences workflow underneath (one per recipient, changes
 * validated by the workflow too).
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { preferenceLinks, recipientId } from '../../client/preferences';
import { preferencesWorkflowId, setPreferencesUpdate } from '../../workflows/preferenceMessages';
import type { PreferencesView } from '../../workflows/preferences';
import { uniq } from '../helpers/temporal';
import { KEYS, call, startHarness, type Api, type Harness } from './harness';

const SECRET = 'preferences-secret-0123456789abcdef';
const links = preferenceLinks({ secrets: [SECRET], publicUrl: 'http://unused.example' });
const manager = { key: KEYS.manager };

let h: Harness;
let api: Api;
beforeAll(async () => {
  h = await startHarness();
  api = await h.startApi({
    API_KEYS: Object.entries(KEYS)
      .map(([role, key]) => `${role}:${key}`)
      .join(','),
    PREFERENCES_SECRET: SECRET,
  });
});
afterAll(() => h?.close());

const address = () => `${uniq('lee')}@acme.example`;
const prefsPath = (a: string) => `/v1/preferences/${recipientId(a)}`;
const tokenOf = (a: string, nowMs?: number) => links.token(a, nowMs);

async function page(method: 'GET' | 'POST', query: string, body?: string | FormData, contentType = 'application/x-www-form-urlencoded') {
  const res = await fetch(`${api.url}/unsubscribe${query}`, {
    method,
    ...(body === undefined ? {} : { body, ...(typeof body === 'string' ? { headers: { 'content-type': contentType } } : {}) }),
  });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

async function historyTypes(a: string): Promise<string[]> {
  const history = await h.env.client.workflow.getHandle(preferencesWorkflowId(recipientId(a))).fetchHistory();
  return (history.events ?? []).map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0]!);
}

describe('the JSON routes', () => {
  it('managers and ops read and change anyone\'s; a recipient who never changed anything has the defaults', async () => {
    const a = address();
    const fresh = await call<PreferencesView>(api, 'GET', prefsPath(a), manager);
    expect(fresh).toMatchObject({
      status: 200,
      body: { recipientId: recipientId(a), unsubscribed: false, mutedKinds: [], mutedChannels: [], quietHours: null, updatedAt: null, changes: 0 },
    });

    const changed = await call<PreferencesView>(api, 'PATCH', prefsPath(a), {
      key: KEYS.ops,
      body: { mutedKinds: ['survey_request', 'milestone_reminder'], quietHours: { start: '19:00', end: '07:30', timezone: 'Europe/Berlin' }, by: 'Dana Ruiz' },
    });
    expect(changed).toMatchObject({
      status: 200,
      body: { mutedKinds: ['milestone_reminder', 'survey_request'], quietHours: { start: '19:00', end: '07:30', timezone: 'Europe/Berlin' }, updatedBy: 'Dana Ruiz', changes: 1 },
    });
    // The address, in any case, is the same recipient; reads are current at once (the memo, by describe).
    const again = await call<PreferencesView>(api, 'GET', prefsPath(a.toUpperCase()), manager);
    expect(again.body).toEqual(changed.body);
  });

  it('systems, wrong keys and no keys are refused; bad input names the field', async () => {
    const a = address();
    expect((await call(api, 'GET', prefsPath(a), { key: KEYS.system })).status).toBe(403);
    expect((await call(api, 'PATCH', prefsPath(a), { body: { unsubscribed: true } })).status).toBe(401);
    const bad = await call(api, 'PATCH', prefsPath(a), manager as never);
    expect(bad.status).toBe(400);
    const fields = await call(api, 'PATCH', prefsPath(a), { ...manager, body: { mutedChannels: ['fax'], quietHours: { start: '7pm', end: '07:00', timezone: 'Europe/Berlin' } } });
    expect(fields).toMatchObject({
      status: 400,
      body: { fields: [{ field: 'mutedChannels[0]' }, { field: 'quietHours.start', message: 'must be a time of day as HH:MM (24-hour clock), e.g. 20:00' }] },
    });
    expect((await call(api, 'GET', '/v1/preferences/not-an-id', manager)).status).toBe(400);
  });

  it('the recipient uses their own link\'s token, for themself only', async () => {
    const a = address();
    const own = await call<PreferencesView>(api, 'PATCH', `${prefsPath(a)}?token=${tokenOf(a)}`, { body: { unsubscribed: true } });
    expect(own).toMatchObject({ status: 200, body: { unsubscribed: true, updatedBy: 'the recipient, through their preferences link' } });
    expect((await call(api, 'GET', `${prefsPath(a)}?token=${tokenOf(a)}`)).status).toBe(200);

    const someoneElse = address();
    const foreign = await call(api, 'PATCH', `${prefsPath(someoneElse)}?token=${tokenOf(a)}`, { body: { unsubscribed: true } });
    expect(foreign).toMatchObject({ status: 403, body: { message: 'the preferences link was made for another recipient' } });
    const [payload] = tokenOf(a).split('.');
    const forged = await call(api, 'GET', `${prefsPath(a)}?token=${payload}.${'A'.repeat(43)}`);
    expect(forged).toMatchObject({ status: 403, body: { message: 'the preferences link is not valid: this link is not valid' } });
    // A bad token is refused even next to a valid key: the token is what the request presents.
    expect((await call(api, 'GET', `${prefsPath(a)}?token=${payload}.${'A'.repeat(43)}`, manager)).status).toBe(403);
  });

  it('concurrent first changes meet in one workflow; the workflow refuses a bad change without a trace in its history', async () => {
    const a = address();
    const kinds = ['survey_request', 'milestone_reminder', 'phase_advanced', 'community_invitation', 'graduated'] as const;
    const answers = await Promise.all(kinds.map((k) => call<PreferencesView>(api, 'PATCH', prefsPath(a), { ...manager, body: { mutedKinds: [k] } })));
    expect(answers.map((r) => r.status)).toEqual(kinds.map(() => 200));
    const final = await call<PreferencesView>(api, 'GET', prefsPath(a), manager);
    expect(final.body.changes).toBe(kinds.length);

    // Five changes: each accepted, completed and published to the memo once.
    const changes = (types: string[]) => types.filter((t) => /_UPDATE_|PROPERTIES_MODIFIED/.test(t));
    const before = changes(await historyTypes(a));
    expect(before.filter((t) => t.endsWith('UPDATE_ACCEPTED'))).toHaveLength(kinds.length);
    expect(before.filter((t) => t.endsWith('PROPERTIES_MODIFIED'))).toHaveLength(kinds.length);

    const handle = h.env.client.workflow.getHandle(preferencesWorkflowId(recipientId(a)));
    const refused = handle.executeUpdate(setPreferencesUpdate, { args: [{ mutedKinds: ['no_such_kind' as never] }] });
    await expect(refused).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(refused).rejects.toMatchObject({ cause: { message: expect.stringContaining('mutedKinds[0]: must be one of') } });
    expect(changes(await historyTypes(a))).toEqual(before);
    expect((await call<PreferencesView>(api, 'GET', prefsPath(a), manager)).body).toEqual(final.body);
  });
});

describe('the page behind the unsubscribe link', () => {
  it('GET shows the choice and changes nothing (link scanners do no harm)', async () => {
    const a = address();
    for (let i = 0; i < 3; i++) {
      const res = await page('GET', `?token=${tokenOf(a)}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.html).toContain('Unsubscribe from onboarding reminders?');
      expect(res.html).toContain(`<strong>${a.slice(0, 1)}***@acme.example</strong>`);
      expect(res.html).toContain('<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">');
      expect(res.html).not.toContain(a);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
    const prefs = await call<PreferencesView>(api, 'GET', prefsPath(a), manager);
    expect(prefs.body).toMatchObject({ unsubscribed: false, changes: 0 });
    // Not even a workflow was started.
    await expect(historyTypes(a)).rejects.toThrow();
  });

  it('refuses a changed, incomplete, expired or missing link, by GET and by POST, and changes nothing', async () => {
    const a = address();
    const [payload, signature] = tokenOf(a).split('.') as [string, string];
    const otherPayload = tokenOf(address()).split('.')[0];
    const cases: [string, number, string][] = [
      [`?token=${otherPayload}.${signature}`, 403, 'This link is not valid'],
      [`?token=${payload}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`, 403, 'This link is not valid'],
      [`?token=${payload}`, 400, 'This link is incomplete'],
      ['', 400, 'This link is incomplete'],
      [`?token=${payload}.${signature}&token=${payload}.${signature}`, 400, 'This link is incomplete'],
      [`?token=${tokenOf(a, Date.now() - 400 * 86_400_000)}`, 410, 'This link has expired'],
    ];
    for (const [query, status, title] of cases) {
      for (const method of ['GET', 'POST'] as const) {
        const res = await page(method, query, method === 'POST' ? 'List-Unsubscribe=One-Click' : undefined);
        expect({ query, method, status: res.status, title: /<h1>(.*)<\/h1>/.exec(res.html)?.[1] }).toEqual({ query, method, status, title });
      }
    }
    expect((await call<PreferencesView>(api, 'GET', prefsPath(a), manager)).body.changes).toBe(0);
  });

  it('POST (the page\'s button, RFC 8058 one-click, urlencoded or multipart) unsubscribes; the way back is one button', async () => {
    const a = address();
    const done = await page('POST', `?token=${tokenOf(a)}`, 'List-Unsubscribe=One-Click');
    expect(done.status).toBe(200);
    expect(done.html).toContain('<h1>You are unsubscribed</h1>');
    expect(done.html).toContain('Essential messages still reach you');
    expect(done.html).toContain('name="action" value="resubscribe"');
    expect((await call<PreferencesView>(api, 'GET', prefsPath(a), manager)).body).toMatchObject({
      unsubscribed: true,
      updatedBy: 'the recipient, through their unsubscribe link',
    });

    const back = await page('POST', `?token=${tokenOf(a)}`, 'action=resubscribe');
    expect(back.html).toContain('<h1>You are subscribed again</h1>');
    expect((await call<PreferencesView>(api, 'GET', prefsPath(a), manager)).body.unsubscribed).toBe(false);

    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    expect((await page('POST', `?token=${tokenOf(a)}`, form)).status).toBe(200);
    expect((await call<PreferencesView>(api, 'GET', prefsPath(a), manager)).body).toMatchObject({ unsubscribed: true, changes: 3 });
    const shown = await page('GET', `?token=${tokenOf(a)}`);
    expect(shown.html).toContain('<h1>You are unsubscribed</h1>');
  });

  it('sets and clears quiet hours from the page; a bad time changes nothing and says why', async () => {
    const a = address();
    const bad = await page('POST', `?token=${tokenOf(a)}`, 'action=quiet_hours&start=25%3A00&end=07%3A00&timezone=Europe%2FBerlin');
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('Nothing was changed. start: must be a time of day as HH:MM (24-hour clock), e.g. 20:00');

    const saved = await page('POST', `?token=${tokenOf(a)}`, 'action=quiet_hours&start=20%3A00&end=07%3A00&timezone=Europe%2FBerlin');
    expect(saved.html).toContain('<h1>Quiet hours saved: 20:00 to 07:00 (Europe/Berlin)</h1>');
    expect((await call<PreferencesView>(api, 'GET', prefsPath(a), manager)).body).toMatchObject({
      unsubscribed: false,
      quietHours: { start: '20:00', end: '07:00', timezone: 'Europe/Berlin' },
    });
    await page('POST', `?token=${tokenOf(a)}`, 'action=clear_quiet_hours');
    expect((await call<PreferencesView>(api, 'GET', prefsPath(a), manager)).body.quietHours).toBeNull();
  });

  it('is off without PREFERENCES_SECRET: 404, and tokens are refused on the JSON routes', async () => {
    const plain = await h.startApi({});
    const res = await fetch(`${plain.url}/unsubscribe?token=${tokenOf(address())}`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Unsubscribe links are off');
    const a = address();
    expect((await call(plain, 'GET', `${prefsPath(a)}?token=${tokenOf(a)}`)).status).toBe(403);
  });
});
