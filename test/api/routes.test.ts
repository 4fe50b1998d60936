/**
 * Every route of the HTTP API and every status it answers, against the real
 * dev server, a real worker and the API listening on a port.
 */
import http from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { EVENT_TYPES, type OnboardingState } from '../../workflows/types';
import type { EventsAccepted, PartnerPage, StartResult, Timeline } from '../../client/apiTypes';
import { onboardingWorkflowId } from '../../workflows/messages';
import { BODY_LIMIT_BYTES } from '../../client/api/app';
import { createReportsProvider } from '../../client/reports';
import { uniq } from '../helpers/temporal';
import { KEYS, call, eventually, profile, startHarness, type Api, type Harness } from './harness';

let h: Harness;
let api: Api;
beforeAll(async () => {
  h = await startHarness();
  api = h.api;
});
afterAll(() => h?.close());

const ops = { key: KEYS.ops };
const system = { key: KEYS.system };
const manager = { key: KEYS.manager };
const DAY = 24 * 60 * 60 * 1000;

async function started(overrides = {}) {
  const p = profile(overrides);
  const res = await call<StartResult>(api, 'POST', '/v1/partners', { ...ops, body: p });
  expect(res.status).toBe(201);
  return p;
}

/** Any method, as is (fetch refuses TRACE and friends). */
function rawRequest(
  target: Api,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${target.url}${path}`, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const stateOf = (partnerId: string) => call<OnboardingState>(api, 'GET', `/v1/partners/${partnerId}`, manager);
const signalsIn = async (partnerId: string) => {
  const history = await h.env.client.workflow.getHandle(onboardingWorkflowId(partnerId)).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
};

describe('POST /v1/partners', () => {
  it('answers 201, then 200 for the same profile (key order does not matter), 409 for a different one', async () => {
    const p = profile();
    const first = await call<StartResult>(api, 'POST', '/v1/partners', { ...ops, body: p });
    expect(first).toMatchObject({ status: 201, body: { partnerId: p.partnerId, workflowId: `onboarding-${p.partnerId}`, created: true } });

    const reordered = Object.fromEntries(Object.entries(p).reverse());
    const again = await call<StartResult>(api, 'POST', '/v1/partners', { ...ops, body: reordered });
    expect(again).toMatchObject({ status: 200, body: { created: false, runId: first.body.runId } });

    const other = await call(api, 'POST', '/v1/partners', { ...ops, body: { ...p, segment: 'strategic' } });
    expect(other).toMatchObject({ status: 409, body: { error: 'conflict' } });
  });

  it('starts the workflow with the search attributes and the profile hash in the memo', async () => {
    const p = await started({ segment: 'transactional', partnerManager: { name: 'Kim', email: 'kim@vendor.example' } });
    const description = await h.env.client.workflow.getHandle(onboardingWorkflowId(p.partnerId)).describe();
    expect(description.searchAttributes).toMatchObject({
      OnboardingPhase: ['foundation'],
      PartnerSegment: ['transactional'],
      PartnerManager: ['kim@vendor.example'],
      OnboardingHealth: ['on_track'],
    });
    expect(description.memo).toMatchObject({ partnerId: p.partnerId, name: p.name, profileHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('creates exactly one onboarding from 10 concurrent identical starts', async () => {
    const p = profile();
    const answers = await Promise.all(Array.from({ length: 10 }, () => call(api, 'POST', '/v1/partners', { ...ops, body: p })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
  });

  it('answers 400 naming every invalid field', async () => {
    const res = await call(api, 'POST', '/v1/partners', {
      ...ops,
      body: {
        partnerId: 'bad id!',
        segment: 'huge',
        role: 'sales',
        timezone: 'Mars/Olympus',
        partnerManager: { name: 'X', email: 'nope' },
        contacts: [{ role: 'sales', name: 'Lee', email: 'lee' }],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'validation_failed', requestId: expect.any(String) });
    const fields = (res.body.fields as { field: string }[]).map((f) => f.field).sort();
    expect(fields).toEqual(['contacts[0].email', 'name', 'partnerId', 'partnerManager.email', 'segment', 'timezone']);
  });

  it('answers 400 for malformed JSON, an empty or a text body, 415 for another media type, 413 for a body over the limit', async () => {
    expect(await call(api, 'POST', '/v1/partners', { ...ops, raw: '{"partnerId": ' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_json', fields: [{ field: '(root)' }] },
    });
    expect((await call(api, 'POST', '/v1/partners', { ...ops, raw: '' })).status).toBe(400);
    const text = await call(api, 'POST', '/v1/partners', { ...ops, raw: 'partnerId=x', headers: { 'content-type': 'text/plain' } });
    expect(text).toMatchObject({ status: 400, body: { error: 'validation_failed', fields: [{ field: '(root)' }] } });
    const form = await call(api, 'POST', '/v1/partners', {
      ...ops,
      raw: 'partnerId=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form).toMatchObject({ status: 415, body: { error: 'unsupported_media_type' } });
    const huge = await call(api, 'POST', '/v1/partners', { ...ops, body: { ...profile(), name: 'x'.repeat(BODY_LIMIT_BYTES) } });
    expect(huge).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
  });
});

describe('POST /v1/partners/{partnerId}/events', () => {
  it('accepts one event or an array (202); the workflow applies them in order and records rejections', async () => {
    const p = await started();
    const one = await call<EventsAccepted>(api, 'POST', `/v1/partners/${p.partnerId}/events`, {
      ...system,
      body: { eventId: 'portal-1', type: 'portal_access_granted', data: { systems: ['portal'] } },
    });
    expect(one).toMatchObject({ status: 202, body: { partnerId: p.partnerId, accepted: 1, eventIds: ['portal-1'] } });

    const batch = await call<EventsAccepted>(api, 'POST', `/v1/partners/${p.partnerId}/events`, {
      ...system,
      body: [
        { eventId: 'kickoff-1', type: 'kickoff_completed' },
        { eventId: 'ack-1', type: 'opportunity_acknowledged', data: { opportunityId: 'unknown-opp' } },
        { eventId: 'training-1', type: 'training_completed', data: { module: 'business_101' } },
      ],
    });
    expect(batch).toMatchObject({ status: 202, body: { accepted: 3, eventIds: ['kickoff-1', 'ack-1', 'training-1'] } });

    const state = await eventually(
      () => stateOf(p.partnerId),
      (s) => s.body.milestones.find((m) => m.id === 'business_101_training')?.status === 'done',
    );
    const status = (id: string) => state.body.milestones.find((m) => m.id === id)?.status;
    expect([status('portal_access'), status('kickoff_call')]).toEqual(['done', 'done']);
    expect(state.body.rejectedEvents).toEqual([expect.objectContaining({ eventId: 'ack-1', type: 'opportunity_acknowledged' })]);
  });

  it('answers 400 naming every invalid field of every item by index, and signals nothing', async () => {
    const p = await started();
    const res = await call(api, 'POST', `/v1/partners/${p.partnerId}/events`, {
      ...system,
      body: [
        { eventId: 'ok-1', type: 'kickoff_completed' },
        { eventId: 'x', type: 'no_such_type' },
        { eventId: '', type: 'assessment_completed', occurredAt: 'yesterday', data: { score: 101 } },
        { type: 'nonsense' },
      ],
    });
    expect(res.status).toBe(400);
    const fields = (res.body.fields as { field: string }[]).map((f) => f.field).sort();
    expect(fields).toEqual(['[1].type', '[2].data.assessment', '[2].data.score', '[2].eventId', '[2].occurredAt', '[3].eventId', '[3].type']);
    expect(await signalsIn(p.partnerId)).toBe(0);

    const single = await call(api, 'POST', `/v1/partners/${p.partnerId}/events`, {
      ...system,
      body: { eventId: 'a', type: 'survey_completed', data: { score: 11 } },
    });
    expect(single).toMatchObject({ status: 400, body: { fields: [{ field: 'data.score' }] } });
  });

  it('answers 400 for an empty array and for more than 100 events', async () => {
    const p = await started();
    const events = (n: number) => Array.from({ length: n }, (_, i) => ({ eventId: `e${i}`, type: 'kickoff_completed' }));
    expect((await call(api, 'POST', `/v1/partners/${p.partnerId}/events`, { ...system, body: [] })).status).toBe(400);
    const tooMany = await call(api, 'POST', `/v1/partners/${p.partnerId}/events`, { ...system, body: events(101) });
    expect(tooMany).toMatchObject({ status: 400, body: { fields: [{ field: '(root)', message: expect.stringContaining('1 to 100') }] } });
    expect((await call(api, 'POST', `/v1/partners/${p.partnerId}/events`, { ...system, body: events(100) })).status).toBe(202);
  });

  it('answers 404 for an unknown partner', async () => {
    const res = await call(api, 'POST', `/v1/partners/${uniq('nobody')}/events`, { ...system, body: { eventId: 'e', type: 'kickoff_completed' } });
    expect(res).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });
});

describe('GET /v1/partners/{partnerId}', () => {
  it('answers the OnboardingState, 404 for an unknown partner, 400 for an invalid partnerId', async () => {
    const p = await started({ segment: 'strategic', role: 'strategic' });
    const res = await stateOf(p.partnerId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ partnerId: p.partnerId, segment: 'strategic', phase: 'foundation', health: 'on_track', awaitingDecision: false });
    expect(res.body.milestones.map((m) => m.id)).toEqual(expect.arrayContaining(['joint_business_plan', 'executive_sponsor']));

    expect((await stateOf(uniq('nobody'))).status).toBe(404);
    expect(await call(api, 'GET', `/v1/partners/${encodeURIComponent('bad id')}`, manager)).toMatchObject({
      status: 400,
      body: { fields: [{ field: 'partnerId' }] },
    });
  });
});

describe('GET /v1/partners', () => {
  it('lists from visibility with filters and pages', async () => {
    const email = `${uniq('mgr')}@vendor.example`;
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push(await started({ partnerManager: { name: 'M', email } }));
    const query = `manager=${encodeURIComponent(email)}`;
    const all = await eventually(
      () => call<PartnerPage>(api, 'GET', `/v1/partners?${query}`, manager),
      (r) => r.body.partners?.length === 3,
    );
    expect(all.status).toBe(200);
    expect(all.body.partners.map((s) => s.partnerId).sort()).toEqual(mine.map((p) => p.partnerId).sort());
    expect(all.body.partners[0]).toMatchObject({
      name: 'Acme Cloud GmbH',
      phase: 'foundation',
      segment: 'core',
      manager: email,
      health: 'on_track',
      status: 'running',
    });

    const seen: string[] = [];
    let token: string | null = null;
    do {
      const page: { status: number; body: PartnerPage } = await call<PartnerPage>(
        api,
        'GET',
        `/v1/partners?${query}&pageSize=2${token ? `&pageToken=${token}` : ''}`,
        manager,
      );
      expect(page.status).toBe(200);
      expect(page.body.partners.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.partners.map((s) => s.partnerId));
      token = page.body.nextPageToken;
    } while (token);
    expect(seen.sort()).toEqual(mine.map((p) => p.partnerId).sort());

    // Search: partner ids starting with the text.
    const prefix = mine[0].partnerId.slice(0, -2);
    const found = await call<PartnerPage>(api, 'GET', `/v1/partners?${query}&q=${prefix}`, manager);
    expect(found.body.partners.map((s) => s.partnerId)).toEqual(mine.filter((p) => p.partnerId.startsWith(prefix)).map((p) => p.partnerId));
    expect(found.body.partners[0]).toMatchObject({ contractSignedAt: expect.any(String) });
    expect((await call(api, 'GET', `/v1/partners?q=${encodeURIComponent("x' OR 1=1")}`, manager)).status).toBe(400);

    const none = await call<PartnerPage>(api, 'GET', `/v1/partners?${query}&phase=momentum&segment=core&health=at_risk`, manager);
    expect(none).toMatchObject({ status: 200, body: { partners: [], nextPageToken: null } });
  });

  it('escapes filter values in the visibility query', async () => {
    const res = await call<PartnerPage>(api, 'GET', `/v1/partners?manager=${encodeURIComponent("o'brien@vendor.example")}`, manager);
    expect(res).toMatchObject({ status: 200, body: { partners: [] } });
  });

  it('answers 400 for invalid filters and a malformed page token, 404 for a page token it did not issue for the same filters', async () => {
    const res = await call(api, 'GET', '/v1/partners?phase=done&pageSize=1000&manager=x', manager);
    expect(res.status).toBe(400);
    expect((res.body.fields as { field: string }[]).map((f) => f.field).sort()).toEqual(['manager', 'pageSize', 'phase']);
    expect(await call(api, 'GET', '/v1/partners?pageToken=abc', manager)).toMatchObject({ status: 400, body: { fields: [{ field: 'pageToken' }] } });
    // Well-formed (as the document declares it) but never issued: no such page.
    const forged = await call(api, 'GET', `/v1/partners?pageToken=AAAA.${'a'.repeat(22)}`, manager);
    expect(forged).toMatchObject({ status: 404, body: { error: 'page_not_found' } });

    const email = `${uniq('mgr')}@vendor.example`;
    for (let i = 0; i < 2; i++) await started({ partnerManager: { name: 'M', email } });
    const first = await eventually(
      () => call<PartnerPage>(api, 'GET', `/v1/partners?manager=${encodeURIComponent(email)}&pageSize=1`, manager),
      (r) => r.body.nextPageToken !== null,
    );
    const foreign = await call(api, 'GET', `/v1/partners?phase=foundation&pageToken=${first.body.nextPageToken}`, manager);
    expect(foreign).toMatchObject({ status: 404, body: { error: 'page_not_found' } });
    const own = await call<PartnerPage>(api, 'GET', `/v1/partners?manager=${encodeURIComponent(email)}&pageSize=1&pageToken=${first.body.nextPageToken}`, manager);
    expect(own.status).toBe(200);
  });
});

describe('GET /v1/partners/{partnerId}/timeline', () => {
  it('lists events with their outcome, decisions, notifications and status changes, in order', async () => {
    // Signed three days ago: access is overdue at once, so the manager is notified and health turns behind.
    const p = await started({ contractSignedAt: new Date(Date.now() - 3 * DAY).toISOString() });
    const path = `/v1/partners/${p.partnerId}`;
    await call(api, 'POST', `${path}/events`, {
      ...system,
      body: [
        { eventId: 'kick', type: 'kickoff_completed' },
        { eventId: 'ack', type: 'opportunity_acknowledged', data: { opportunityId: 'ghost' } },
        { eventId: 'kick', type: 'kickoff_completed' },
      ],
    });
    // A system may still signal a decision; the workflow records a refused one.
    await call(api, 'POST', `${path}/events`, { ...system, body: { eventId: 'dec', type: 'checkpoint_decision', data: { decision: 'advance', by: 'Dana' } } });

    const timeline = await eventually(
      () => call<Timeline>(api, 'GET', `${path}/timeline`, manager),
      (r) =>
        r.body.entries.some((e) => e.kind === 'notification' && e.notificationKind === 'access_overdue' && e.status !== 'pending') &&
        r.body.entries.some((e) => e.kind === 'decision' && e.outcome === 'rejected') &&
        r.body.entries.some((e) => e.kind === 'status_changed'),
    );
    expect(timeline.status).toBe(200);
    const { entries, runIds } = timeline.body;
    expect(runIds).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: 'started', runId: runIds[0] });
    const events = entries.filter((e) => e.kind === 'event');
    expect(events.map((e) => e.kind === 'event' && [e.eventId, e.outcome])).toEqual([
      ['kick', 'accepted'],
      ['ack', 'rejected'],
      ['kick', 'duplicate'],
    ]);
    expect(events[1]).toMatchObject({ reason: expect.stringContaining('ghost') });
    // No checkpoint awaits a decision on day 3: the workflow records the decision as rejected.
    expect(entries.find((e) => e.kind === 'decision')).toMatchObject({ decision: { decision: 'advance', by: 'Dana' }, outcome: 'rejected' });
    // The welcome e-mail may come first (it waits for business hours, so its place depends on the time of day).
    expect(entries.find((e) => e.kind === 'notification' && e.notificationKind === 'access_overdue')).toMatchObject({
      notificationKind: 'access_overdue',
      channel: 'slack',
      to: ['dana@vendor.example'],
      status: expect.stringMatching(/sent|failed/),
      completedAt: expect.any(String),
    });
    expect(entries).toContainEqual(expect.objectContaining({ kind: 'status_changed', health: 'behind' }));
    const times = entries.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('answers 404 for an unknown partner', async () => {
    expect((await call(api, 'GET', `/v1/partners/${uniq('nobody')}/timeline`, manager)).status).toBe(404);
  });
});

describe('POST /v1/partners/{partnerId}/decisions and /waivers', () => {
  const atCheckpoint = async () => {
    // Signed 31 days ago: the foundation deadline has passed with gaps, so its checkpoint awaits a decision.
    const p = await started({ contractSignedAt: new Date(Date.now() - 31 * DAY).toISOString() });
    await eventually(() => stateOf(p.partnerId), (r) => r.body.awaitingDecision === true);
    return p;
  };
  const updateEvents = async (partnerId: string) => {
    const history = await h.env.client.workflow.getHandle(onboardingWorkflowId(partnerId)).fetchHistory();
    return (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateCompletedEventAttributes);
  };

  it('answers 200 with the new state: the phase deadline moved by the days', async () => {
    const p = await atCheckpoint();
    const before = (await stateOf(p.partnerId)).body;
    const res = await call<OnboardingState>(api, 'POST', `/v1/partners/${p.partnerId}/decisions`, {
      ...manager,
      body: { decision: 'extend', days: 14, phase: 'foundation', by: 'Dana', note: 'training booked' },
    });
    expect(res).toMatchObject({ status: 200, body: { partnerId: p.partnerId, phase: 'foundation', awaitingDecision: false, extensions: 1 } });
    expect(Date.parse(res.body.phaseDeadline!) - Date.parse(before.phaseDeadline!)).toBe(14 * DAY);
    expect(res.body.checkpoints[0]).toMatchObject({ outcome: 'extended', decidedBy: 'Dana', note: 'training booked' });
  });

  it('answers 409 with the reason when no checkpoint awaits a decision, and the history shows no event for it', async () => {
    const p = await started();
    const res = await call(api, 'POST', `/v1/partners/${p.partnerId}/decisions`, { ...ops, body: { decision: 'advance', by: 'Dana' } });
    expect(res).toMatchObject({ status: 409, body: { error: 'refused', message: 'no checkpoint is awaiting a decision', requestId: expect.any(String) } });
    expect(await updateEvents(p.partnerId)).toEqual([]);
    expect(await signalsIn(p.partnerId)).toBe(0);
    const timeline = await call<Timeline>(api, 'GET', `/v1/partners/${p.partnerId}/timeline`, manager);
    expect(timeline.body.entries.filter((e) => e.kind === 'decision')).toEqual([]);
  });

  it('answers a retried decision with the same eventId with the first outcome, once', async () => {
    const p = await atCheckpoint();
    const decide = () =>
      call<OnboardingState>(api, 'POST', `/v1/partners/${p.partnerId}/decisions`, { ...ops, body: { decision: 'extend', days: 7, eventId: 'dec-1' } });
    const first = await decide();
    const again = await decide();
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body.extensions).toBe(1);
    expect(again.body.phaseDeadline).toBe(first.body.phaseDeadline);
    // Without the key, a second decision has nothing left to decide.
    const third = await call(api, 'POST', `/v1/partners/${p.partnerId}/decisions`, { ...ops, body: { decision: 'extend', days: 7 } });
    expect(third).toMatchObject({ status: 409, body: { message: 'no checkpoint is awaiting a decision' } });
  });

  it('refuses a decision for another phase and a waiver of an unknown or a done milestone with 409; waives with 200', async () => {
    const p = await atCheckpoint();
    const wrongPhase = await call(api, 'POST', `/v1/partners/${p.partnerId}/decisions`, { ...manager, body: { decision: 'advance', phase: 'momentum' } });
    expect(wrongPhase).toMatchObject({ status: 409, body: { message: expect.stringContaining('the foundation checkpoint is') } });
    const unknown = await call(api, 'POST', `/v1/partners/${p.partnerId}/waivers`, { ...manager, body: { milestoneId: 'moon', reason: 'x' } });
    expect(unknown).toMatchObject({ status: 409, body: { message: "unknown milestone 'moon' for core partners" } });
    const waived = await call<OnboardingState>(api, 'POST', `/v1/partners/${p.partnerId}/waivers`, {
      ...manager,
      body: { milestoneId: 'portal_access', reason: 'granted in the old portal', by: 'Dana' },
    });
    expect(waived.status).toBe(200);
    expect(waived.body.milestones.find((m) => m.id === 'portal_access')).toMatchObject({ status: 'waived', waivedReason: 'granted in the old portal' });
    const twice = await call(api, 'POST', `/v1/partners/${p.partnerId}/waivers`, { ...manager, body: { milestoneId: 'portal_access', reason: 'x' } });
    expect(twice).toMatchObject({ status: 409, body: { message: "milestone 'portal_access' is already waived" } });
    expect((await updateEvents(p.partnerId)).length).toBe(2); // the one waiver: accepted + completed
  });

  it('answers 400 for an invalid decision or waiver, 403 for a system key, 404 for an unknown partner', async () => {
    const p = await started();
    const bad = await call(api, 'POST', `/v1/partners/${p.partnerId}/decisions`, { ...ops, body: { decision: 'maybe', days: 0 } });
    expect(bad.status).toBe(400);
    expect((bad.body.fields as { field: string }[]).map((f) => f.field).sort()).toEqual(['days', 'decision']);
    const badWaiver = await call(api, 'POST', `/v1/partners/${p.partnerId}/waivers`, { ...ops, body: { milestoneId: '' } });
    expect((badWaiver.body.fields as { field: string }[]).map((f) => f.field).sort()).toEqual(['milestoneId', 'reason']);
    expect((await call(api, 'POST', `/v1/partners/${p.partnerId}/decisions`, { ...system, body: { decision: 'advance' } })).status).toBe(403);
    expect((await call(api, 'POST', `/v1/partners/${uniq('nobody')}/decisions`, { ...ops, body: { decision: 'advance' } })).status).toBe(404);
    expect((await call(api, 'POST', `/v1/partners/${uniq('nobody')}/waivers`, { ...ops, body: { milestoneId: 'x', reason: 'y' } })).status).toBe(404);
  });
});

describe('GET /v1/reports/onboarding', () => {
  it('answers 501 with a clear message until a reports provider is configured', async () => {
    const res = await call(api, 'GET', '/v1/reports/onboarding', manager);
    expect(res).toMatchObject({ status: 501, body: { error: 'not_implemented', message: expect.stringContaining('reports') } });
  });

  it('answers 200 from an injected provider with the validated filters, 400 for invalid ones', async () => {
    const seen: unknown[] = [];
    const withReports = await h.startApi(
      {},
      {
        reports: async (query) => {
          seen.push(query);
          return { partners: 3, leading: { timeToPortalAccessHours: { median: 20 } } };
        },
      },
    );
    const res = await call(withReports, 'GET', '/v1/reports/onboarding?segment=core');
    expect(res).toMatchObject({ status: 200, body: { partners: 3 } });
    expect(seen).toEqual([{ segment: 'core' }]);
    expect((await call(withReports, 'GET', '/v1/reports/onboarding?segment=gold')).status).toBe(400);
  });
});

describe('GET /healthz', () => {
  it('answers 200 when Temporal answers and a worker polls, 503 when no worker polls', async () => {
    const ok = await call(api, 'GET', '/healthz');
    expect(ok).toMatchObject({
      status: 200,
      body: { status: 'ok', temporal: { reachable: true }, worker: { taskQueue: h.taskQueue, workflowPollers: 1, activityPollers: 1 } },
    });
    const idle = await h.startApi({ TEMPORAL_TASK_QUEUE: uniq('no-worker') });
    expect(await call(idle, 'GET', '/healthz')).toMatchObject({
      status: 503,
      body: { status: 'unavailable', temporal: { reachable: true }, worker: { workflowPollers: 0 } },
    });
  });
});

interface Operation {
  parameters: { name: string; in: string; required: boolean }[];
  requestBody: { content: Record<string, { schema: unknown }> };
  responses: Record<string, unknown>;
  security: unknown[];
  'x-roles'?: string[];
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { oneOf?: unknown[]; anyOf?: unknown[]; required?: string[] }>; securitySchemes: Record<string, unknown> };
}

describe('Temporal unreachable', () => {
  it('answers 503 on health (with details) and on any route that needs Temporal', async () => {
    const unreachable = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const down = await h.startApi({ API_KEYS: `manager:${KEYS.manager}` }, { client: unreachable });
    const [health, state] = await Promise.all([call(down, 'GET', '/healthz'), call(down, 'GET', '/v1/partners/anyone', manager)]);
    expect(health).toMatchObject({ status: 503, body: { status: 'unavailable', temporal: { reachable: false, error: expect.any(String) } } });
    expect(state).toMatchObject({ status: 503, body: { error: 'temporal_unavailable' } });
    await unreachable.connection.close();
  });
});

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document listing every route with parameters, bodies, responses and security', async () => {
    const res = await call<OpenApiDocument>(api, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(
      [
        'POST /v1/partners',
        'POST /v1/partners/{partnerId}/events',
        'GET /v1/partners/{partnerId}',
        'PATCH /v1/partners/{partnerId}',
        'GET /v1/partners',
        'GET /v1/partners/{partnerId}/timeline',
        'POST /v1/partners/{partnerId}/decisions',
        'POST /v1/partners/{partnerId}/waivers',
        'GET /v1/reports/onboarding',
        'GET /v1/playbooks',
        'POST /v1/playbooks',
        'GET /v1/playbooks/{version}',
        'POST /v1/playbooks/{version}/migrations',
        'GET /healthz',
        'GET /metrics',
        'GET /openapi.json',
        // The payload codec for the Temporal Web UI and CLI (test/api/codec.test.ts).
        'POST /codec/decode',
        'POST /codec/encode',
        'GET /codec',
        'GET /v1/preferences/{recipientId}',
        'PATCH /v1/preferences/{recipientId}',
        'GET /unsubscribe',
        'POST /unsubscribe',
        // The account registry (docs/accounts.md): the CRM's direct-team events, an account's state, a manager's decision.
        'POST /v1/accounts/events',
        'GET /v1/accounts/{account}',
        'POST /v1/accounts/{account}/decisions',
        'GET /',
        'GET /console/{file}',
        'POST /v1/slack/interactions',
      ].sort(),
    );
    const crm = doc.paths['/v1/accounts/events'].post;
    expect(crm['x-roles']).toEqual(['system']);
    expect(crm.security).toEqual([{ bearerAuth: [] }, { webhookSignature: [], webhookTimestamp: [] }]);
    expect(crm.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/AccountEvent' });
    const decide = doc.paths['/v1/accounts/{account}/decisions'].post;
    expect(decide.parameters).toEqual([expect.objectContaining({ name: 'account', in: 'path', required: true })]);
    expect(decide.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ConflictDecision' });
    expect(Object.keys(decide.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409']));
    expect(doc.components.schemas.ConflictDecision.required).toEqual(expect.arrayContaining(['conflictId', 'winner']));
    expect(Object.keys(doc.paths['/v1/accounts/{account}'].get.responses)).toEqual(expect.arrayContaining(['200', '404']));
    const events = doc.paths['/v1/partners/{partnerId}/events'].post;
    expect(events.parameters).toEqual([expect.objectContaining({ name: 'partnerId', in: 'path', required: true })]);
    expect(events.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/EventBatch' });
    expect(Object.keys(events.responses).sort()).toEqual(['202', '400', '401', '403', '404', '413', '415', '503']);
    expect(events.security).toEqual([{ bearerAuth: [] }, { webhookSignature: [], webhookTimestamp: [] }]);
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    expect(doc.paths['/v1/partners'].get.parameters.map((p) => p.name).sort()).toEqual(
      ['health', 'manager', 'pageSize', 'pageToken', 'phase', 'q', 'segment'],
    );
    const migrations = doc.paths['/v1/playbooks/{version}/migrations'].post;
    expect(migrations['x-roles']).toEqual(['ops']);
    expect(migrations.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/MigrationRequestBody' });
    expect(doc.components.schemas.MigrationRequestBody.required).toEqual(['dryRun']);
    expect(Object.keys(migrations.responses).sort()).toEqual(['200', '400', '401', '403', '404', '413', '415', '503']);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      'basicAuth',
      'bearerAuth',
      'preferencesLink',
      'slackSignature',
      'slackTimestamp',
      'webhookSignature',
      'webhookTimestamp',
    ]);
    expect(doc.paths['/v1/preferences/{recipientId}'].patch.security).toEqual([{ bearerAuth: [] }, { preferencesLink: [] }]);
    expect(doc.paths['/unsubscribe'].post.requestBody.content['application/x-www-form-urlencoded'].schema).toEqual({
      $ref: '#/components/schemas/UnsubscribeForm',
    });
    expect(doc.paths['/unsubscribe'].get.responses['200']).toHaveProperty(['content', 'text/html; charset=utf-8']);
    expect(doc.paths['/v1/slack/interactions'].post.security).toEqual([{ slackSignature: [], slackTimestamp: [] }]);
    // Every reference resolves to a component.
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const ref of new Set(refs)) expect(doc.components.schemas).toHaveProperty(ref.split('/').pop()!);
    expect(doc.components.schemas.PartnerEvent.oneOf ?? doc.components.schemas.PartnerEvent.anyOf).toHaveLength(EVENT_TYPES.length);
  });
});

describe('the document and the server agree', () => {
  it('declares the time zones it accepts as an enum, and accepts exactly those', async () => {
    const doc = (await call<OpenApiDocument>(api, 'GET', '/openapi.json')).body;
    const zones = (doc.components.schemas.PartnerProfile as { properties: { timezone: { enum: string[] } } }).properties.timezone.enum;
    expect(zones).toEqual(expect.arrayContaining(['Europe/Berlin', 'Asia/Kolkata', 'America/Los_Angeles', 'UTC']));
    for (const timezone of ['Asia/Kolkata', zones[0], zones[zones.length - 1]]) {
      expect((await call(api, 'POST', '/v1/partners', { ...ops, body: profile({ timezone }) })).status).toBe(201);
    }
    const alias = await call(api, 'POST', '/v1/partners', { ...ops, body: profile({ timezone: 'europe/berlin' }) });
    expect(alias).toMatchObject({ status: 400, body: { fields: [{ field: 'timezone', message: expect.stringContaining('use Europe/Berlin') }] } });
  });

  it('validates the manager filter with the pattern it declares, and echoes it within that pattern', async () => {
    const doc = (await call<OpenApiDocument>(api, 'GET', '/openapi.json')).body;
    const param = doc.paths['/v1/reports/onboarding'].get.parameters.find((p) => p.name === 'manager') as unknown as {
      schema: { pattern: string; maxLength: number; format?: string };
    };
    expect(param.schema).toMatchObject({ maxLength: 254, pattern: expect.any(String) });
    expect(param.schema.format).toBeUndefined(); // no validator-specific e-mail format to disagree with
    const pattern = new RegExp(param.schema.pattern);
    const long = `${'a'.repeat(80)}.b@vendor.example`;
    const reporting = await h.startApi({ API_KEYS: `manager:${KEYS.manager}` }, { reports: createReportsProvider(h.env.client) });
    const report = await call<{ filter: { manager: string } }>(reporting, 'GET', `/v1/reports/onboarding?manager=${encodeURIComponent(long)}`, manager);
    expect(report.status).toBe(200);
    expect(pattern.test(report.body.filter.manager)).toBe(true);
    const bad = await call(api, 'GET', `/v1/reports/onboarding?manager=${encodeURIComponent('a..b@vendor.example')}`, manager);
    expect(pattern.test('a..b@vendor.example')).toBe(false);
    expect(bad).toMatchObject({ status: 400, body: { fields: [{ field: 'manager' }] } });
  });
});

describe('the web console and cross-site requests', () => {
  it('serves the console page with a strict Content-Security-Policy, and only its own listed files', async () => {
    const page = await fetch(`${api.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/console/app.js"></script>');
    for (const [file, type] of [
      ['app.js', /^text\/javascript/],
      ['preact.mjs', /^text\/javascript/],
      ['chart.umd.js', /^text\/javascript/],
      ['pico.min.css', /^text\/css/],
    ] as const) {
      const res = await fetch(`${api.url}/console/${file}`);
      expect({ file, status: res.status, type: res.headers.get('content-type') }).toEqual({ file, status: 200, type: expect.stringMatching(type) });
    }
    expect((await fetch(`${api.url}/console/..%2Fpackage.json`)).status).toBe(400);
    expect((await fetch(`${api.url}/console/secrets.js`)).status).toBe(400);
  });

  it('refuses state-changing requests a browser makes for another site, with or without keys', async () => {
    const p = await started();
    const path = `/v1/partners/${p.partnerId}/events`;
    const body = { eventId: uniq('x'), type: 'kickoff_completed' };
    const evil = await call(api, 'POST', path, { ...system, body, headers: { origin: 'https://evil.example' } });
    expect(evil).toMatchObject({ status: 403, body: { message: 'a cross-site request cannot change anything here' } });
    const labelled = await call(api, 'POST', path, { ...system, body, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(labelled.status).toBe(403);
    // The console itself (same origin), and programs that send no Origin, go through.
    expect((await call(api, 'POST', path, { ...system, body, headers: { origin: api.url, 'sec-fetch-site': 'same-origin' } })).status).toBe(202);
    expect((await call(api, 'POST', path, { ...system, body: { ...body, eventId: uniq('y') } })).status).toBe(202);
    // Reading stays possible (the key is what protects it).
    expect((await call(api, 'GET', `/v1/partners/${p.partnerId}`, { ...manager, headers: { origin: 'https://evil.example' } })).status).toBe(200);

    const open = await h.startApi({});
    // fetch cannot set Host: a DNS-rebinding page would reach us under its own name.
    const rebound = await rawRequest(open, 'GET', `/v1/partners/${p.partnerId}`, { host: 'evil.example' });
    expect({ status: rebound.status, message: JSON.parse(rebound.body).message }).toEqual({ status: 403, message: expect.stringContaining('loopback host name') });
    expect((await rawRequest(open, 'GET', `/v1/partners/${p.partnerId}`, { host: 'localhost:3000' })).status).toBe(200);
    expect((await rawRequest(open, 'GET', `/v1/partners/${p.partnerId}`, { host: '[::1]:3000' })).status).toBe(200);
    const openEvil = await call(open, 'POST', path, { body: { ...body, eventId: uniq('z') }, headers: { origin: 'http://evil.example' } });
    expect(openEvil.status).toBe(403);
  });
});

describe('any route', () => {
  it('answers JSON 404 for an unknown route, with the request id', async () => {
    const res = await call(api, 'GET', '/v2/nothing', manager);
    expect(res).toMatchObject({ status: 404, body: { error: 'not_found', requestId: expect.any(String) } });
    // Before any body is read: a body with no content type is not what answers.
    expect(await call(api, 'DELETE', '/v2/nothing', { raw: 'x', headers: { 'content-type': 'text/plain' } })).toMatchObject({ status: 404 });
  });

  it('answers 405 with Allow for a method a known path does not declare, before auth and body parsing', async () => {
    for (const [method, path, allow] of [
      ['TRACE', '/v1/partners', 'GET, HEAD, OPTIONS, POST'],
      ['DELETE', '/v1/partners/acme', 'GET, HEAD, OPTIONS, PATCH'],
      ['QUERY', '/v1/partners/acme/timeline', 'GET, HEAD, OPTIONS'],
      ['PUT', '/v1/partners/acme/decisions', 'OPTIONS, POST'],
      ['POST', '/healthz', 'GET, HEAD, OPTIONS'],
      // A literal path is its own route only: /v1/accounts/events is not also /v1/accounts/{account} (Schemathesis ST205).
      ['GET', '/v1/accounts/events', 'OPTIONS, POST'],
      ['DELETE', '/v1/accounts/initech.example', 'GET, HEAD, OPTIONS'],
    ] as const) {
      const res = await rawRequest(api, method, path);
      expect({ method, path, status: res.status, allow: res.headers.allow, error: JSON.parse(res.body).error }).toEqual({
        method,
        path,
        status: 405,
        allow,
        error: 'method_not_allowed',
      });
    }
    const options = await rawRequest(api, 'OPTIONS', '/v1/partners');
    expect({ status: options.status, allow: options.headers.allow }).toEqual({ status: 204, allow: 'GET, HEAD, OPTIONS, POST' });
    const events = await rawRequest(api, 'OPTIONS', '/v1/accounts/events');
    expect({ status: events.status, allow: events.headers.allow }).toEqual({ status: 204, allow: 'OPTIONS, POST' });
  });

  it('drops __proto__ and constructor.prototype keys like any unknown field (the documents allow extra fields)', async () => {
    const p = await started();
    const raw = `{"eventId":"proto-1","type":"kickoff_completed","__proto__":{"polluted":true},"data":{"constructor":{"prototype":{"x":1}}}}`;
    const res = await call(api, 'POST', `/v1/partners/${p.partnerId}/events`, { ...system, raw });
    expect(res).toMatchObject({ status: 202, body: { eventIds: ['proto-1'] } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('honours an incoming X-Request-Id and echoes it, or generates one', async () => {
    const own = await call(api, 'GET', '/healthz', { headers: { 'x-request-id': 'trace-123' } });
    expect(own.headers.get('x-request-id')).toBe('trace-123');
    const bad = await call(api, 'GET', '/v1/partners/x/timeline', { key: 'wrong-key-0123456789', headers: { 'x-request-id': 'trace-456' } });
    expect(bad.body).toMatchObject({ requestId: 'trace-456' });
    const generated = await call(api, 'GET', '/healthz', { headers: { 'x-request-id': 'not ok' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
