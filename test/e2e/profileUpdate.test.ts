/**
 * Changing a running partner's profile (PATCH /v1/partners/{id}, the
 * `updateProfile` Update) on the dev server with the production worker:
 * a manager handover takes effect at once, a refused change writes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { OnboardingState } from '../../workflows/types';
import type { PartnerPage, Timeline } from '../../client/apiTypes';
import { onboardingWorkflowId } from '../../workflows/messages';
import { KEYS, call, eventually, profile, startHarness, type Harness } from '../api/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const ops = { key: KEYS.ops };
const manager = { key: KEYS.manager };
const alexEmail = () => `alex-${Math.random().toString(36).slice(2, 8)}@vendor.example`;

/**
 * The Slack messages the worker wrote (no bot token here: DATA_DIR/slack), with their target.
 * Only the finished `.json` files: each is written as a temporary file and renamed, and one
 * read half-written made this test fail in CI (Unexpected end of JSON input).
 */
function slackFiles(): { to: { user?: string; channel?: string }; key: string; text: string }[] {
  const dir = path.join(h.dataDir, 'slack');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

it('reads only the finished Slack files, not one the worker is still writing', () => {
  const dir = path.join(h.dataDir, 'slack');
  fs.mkdirSync(dir, { recursive: true });
  const before = slackFiles();
  const partial = path.join(dir, 'in-progress.json.0b5e.tmp');
  fs.writeFileSync(partial, '{"to": {"user": "U0');
  try {
    expect(slackFiles()).toEqual(before);
  } finally {
    fs.rmSync(partial);
  }
});

describe('a manager handover', () => {
  it('takes effect at once: the next SLA message goes to the new manager, the list and the timeline follow', async () => {
    const p = profile();
    expect((await call(h.api, 'POST', '/v1/partners', { ...ops, body: p })).status).toBe(201);
    const newEmail = alexEmail();
    const changed = await call<OnboardingState>(h.api, 'PATCH', `/v1/partners/${p.partnerId}`, {
      ...ops,
      body: {
        partnerManager: { name: 'Alex Chen', email: newEmail, slackUserId: 'U0ALEX' },
        by: 'ops@vendor.example',
        reason: 'Dana moved to the enterprise team',
      },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.partnerManager).toEqual({ name: 'Alex Chen', email: newEmail });
    expect(changed.body.profileChanges).toEqual([expect.objectContaining({ by: 'ops@vendor.example', fields: ['partnerManager'] })]);

    // A registration made 25 hours ago (after the gating training) is past its 24-hour SLA mark at once.
    const ago = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    await call(h.api, 'POST', `/v1/partners/${p.partnerId}/events`, {
      key: KEYS.system,
      body: [
        { eventId: 'lms-1', type: 'training_completed', occurredAt: ago(30), data: { module: 'business_101' } },
        { eventId: 'crm-1', type: 'opportunity_registered', occurredAt: ago(25), data: { opportunityId: 'opp-1', account: 'Initech' } },
      ],
    });
    const workflowId = onboardingWorkflowId(p.partnerId);
    const sla = await eventually(
      async () => slackFiles().find((m) => m.key === `${workflowId}/opportunity_sla_manager:opp-1:manager`),
      (m) => m !== undefined,
    );
    expect(sla?.to).toEqual({ user: 'U0ALEX' });
    expect(sla?.text).toContain('Initech (opp-1) waits for an answer');
    const handover = slackFiles().find((m) => m.key === `${workflowId}/manager_handover:1:manager`);
    expect(handover?.to).toEqual({ user: 'U0ALEX' });
    expect(handover?.text).toContain('You now manage');

    const listed = await eventually(
      () => call<PartnerPage>(h.api, 'GET', `/v1/partners?manager=${encodeURIComponent(newEmail)}`, manager),
      (r) => r.body.partners.length === 1,
    );
    expect(listed.body.partners.map((x) => x.partnerId)).toEqual([p.partnerId]);

    const timeline = await call<Timeline>(h.api, 'GET', `/v1/partners/${p.partnerId}/timeline`, manager);
    expect(timeline.body.entries).toContainEqual(
      expect.objectContaining({ kind: 'profile_changed', by: 'ops@vendor.example', fields: ['partnerManager'], reason: 'Dana moved to the enterprise team' }),
    );
  });
});

describe('what is refused', () => {
  it('names the invalid fields (400); a refused change is a 409 with the reason and writes nothing; an ended onboarding is a 404', async () => {
    const p = profile();
    await call(h.api, 'POST', '/v1/partners', { ...ops, body: p });
    const bad = await call(h.api, 'PATCH', `/v1/partners/${p.partnerId}`, { ...ops, body: { segment: 'platinum', timezone: 'Mars/Olympus' } });
    expect(bad.status).toBe(400);
    expect((bad.body as { fields: { field: string }[] }).fields.map((f) => f.field).sort()).toEqual(['by', 'segment', 'timezone']);

    // A change the workflow refuses (role alone for a partner with several): 409 with the reason, and no history.
    const multi = profile({ role: undefined, roles: ['sales', 'technical'] });
    await call(h.api, 'POST', '/v1/partners', { ...ops, body: multi });
    const handle = h.env.client.workflow.getHandle(onboardingWorkflowId(multi.partnerId));
    await eventually(() => call<OnboardingState>(h.api, 'GET', `/v1/partners/${multi.partnerId}`, manager), (r) => r.body.notifications.length >= 2);
    const before = (await handle.fetchHistory()).events?.length;
    const refused = await call<{ error: string; message: string }>(h.api, 'PATCH', `/v1/partners/${multi.partnerId}`, { ...ops, body: { role: 'technical', by: 'ops' } });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'refused', message: 'the partner has several roles: change them with roles' });
    expect((await handle.fetchHistory()).events?.length).toBe(before);

    // An offboarded partner's onboarding has ended: 404.
    await call(h.api, 'POST', `/v1/partners/${p.partnerId}/events`, { key: KEYS.system, body: { eventId: 'end', type: 'offboarded', data: { reason: 'test' } } });
    await h.env.client.workflow.getHandle(onboardingWorkflowId(p.partnerId)).result();
    expect((await call(h.api, 'PATCH', `/v1/partners/${p.partnerId}`, { ...ops, body: { timezone: 'Europe/Paris', by: 'ops' } })).status).toBe(404);
  });

  it('a manager key may change the profile; a system key may not', async () => {
    const p = profile();
    await call(h.api, 'POST', '/v1/partners', { ...ops, body: p });
    expect((await call(h.api, 'PATCH', `/v1/partners/${p.partnerId}`, { key: KEYS.system, body: { timezone: 'UTC', by: 'crm' } })).status).toBe(403);
    const ok = await call<OnboardingState>(h.api, 'PATCH', `/v1/partners/${p.partnerId}`, { ...manager, body: { roles: ['sales', 'technical'], by: 'Dana' } });
    expect(ok.status).toBe(200);
    expect(ok.body.roles).toEqual(['sales', 'technical']);
    expect(ok.body.milestones.map((m) => m.id)).toContain('technical_certification');
  });
});
