/**
 * Slack buttons end to end: the worker posts the checkpoint and SLA messages
 * with their buttons through the real WebClient to a local Slack; a click,
 * signed like Slack signs it, reaches POST /v1/slack/interactions, runs the
 * Update and replaces the message through its response_url. Bad or stale
 * signatures are 401 and change nothing.
 */
import type { OnboardingState } from '../../workflows/types';
import { slackSignature } from '../../client/api/slack';
import { startFakeSlack, type FakeSlack, type PostedMessage } from '../activities/fixtures/slackServer';
import { uniq } from '../helpers/temporal';
import { KEYS, call, eventually, profile, startHarness, type Api, type Harness } from './harness';

const SECRET = 'slack-signing-secret-0123456789';
const DAY = 24 * 3600_000;

let slack: FakeSlack;
let h: Harness;
let api: Api;

beforeAll(async () => {
  slack = await startFakeSlack();
  slack.users.set('U0DANA', 'Dana Ruiz');
  const slackEnv = { SLACK_BOT_TOKEN: slack.token, SLACK_API_URL: slack.apiUrl, SLACK_SIGNING_SECRET: SECRET };
  h = await startHarness({ workerEnv: slackEnv });
  api = await h.startApi({ API_KEYS: Object.entries(KEYS).map(([r, k]) => `${r}:${k}`).join(','), ...slackEnv });
});
afterAll(async () => {
  await h?.close();
  await slack?.close();
});

const stateOf = async (partnerId: string) => (await call<OnboardingState>(api, 'GET', `/v1/partners/${partnerId}`, { key: KEYS.manager })).body;

/** A partner 31 days in, whose checkpoint message (with buttons) has reached the manager's DM. */
async function atCheckpoint(extra: Record<string, unknown> = {}) {
  const p = profile({
    contractSignedAt: new Date(Date.now() - 31 * DAY).toISOString(),
    partnerManager: { name: 'Dana Ruiz', email: 'dana@vendor.example', slackUserId: 'U0DANA' },
    ...extra,
  });
  expect((await call(api, 'POST', '/v1/partners', { key: KEYS.ops, body: p })).status).toBe(201);
  const message = await eventually(
    async () => slack.posted.find((m) => m.metadata?.event_payload.key === `onboarding-${p.partnerId}/checkpoint_summary:foundation:1:manager`),
    (m) => m !== undefined,
  );
  expect(message).toBeDefined();
  return { partnerId: p.partnerId, message: message! };
}

interface Button {
  action_id: string;
  value: string;
  text: { text: string };
}
function buttons(message: PostedMessage): Button[] {
  return (message.blocks as { type: string; elements?: Button[] }[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
}

/** A click as Slack sends it: form-encoded payload, signed with v0 HMAC-SHA256. */
async function click(
  message: PostedMessage,
  actionId: string,
  options: { user?: string; timestamp?: number; secret?: string } = {},
): Promise<{ status: number; responseId: string }> {
  const button = buttons(message).find((b) => b.action_id === actionId);
  if (!button) throw new Error(`no ${actionId} button on the message`);
  const responseId = uniq('resp');
  const payload = {
    type: 'block_actions',
    user: { id: options.user ?? 'U0DANA', username: 'dana', name: 'dana' },
    actions: [{ action_id: button.action_id, value: button.value, type: 'button' }],
    container: { type: 'message', message_ts: message.ts, channel_id: message.channel },
    message: { ts: message.ts, text: message.text },
    response_url: slack.responseUrl(responseId),
  };
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const res = await fetch(`${api.url}/v1/slack/interactions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(options.secret ?? SECRET, timestamp, body),
    },
    body,
  });
  return { status: res.status, responseId };
}
const responseTo = (id: string) => slack.responses.find((r) => r.id === id)?.body;

it('posts the checkpoint message with Advance / Extend 14 days / Offboard buttons', async () => {
  const { message, partnerId } = await atCheckpoint();
  expect(buttons(message).map((b) => [b.action_id, b.text.text])).toEqual([
    ['checkpoint_advance', 'Advance'],
    ['checkpoint_extend', 'Extend 14 days'],
    ['checkpoint_offboard', 'Offboard'],
  ]);
  expect(JSON.parse(buttons(message)[0].value)).toEqual({ p: partnerId, ph: 'foundation', u: 'U0DANA' });
});

it('applies a signed click as the decideCheckpoint Update and replaces the message with the outcome; a double click counts once', async () => {
  const { partnerId, message } = await atCheckpoint();
  const before = await stateOf(partnerId);
  const first = await click(message, 'checkpoint_extend');
  expect(first.status).toBe(200);
  const after = await stateOf(partnerId);
  expect(after).toMatchObject({ extensions: before.extensions + 1, awaitingDecision: false });
  expect(after.checkpoints.at(-1)).toMatchObject({ outcome: 'extended', decidedBy: 'Dana Ruiz', note: 'decided in Slack' });
  const deadline = `${after.phaseDeadline!.slice(0, 16).replace('T', ' ')} UTC`;
  expect(Date.parse(after.phaseDeadline!) - Date.parse(before.phaseDeadline!)).toBe(14 * DAY);
  const replaced = responseTo(first.responseId);
  expect(replaced).toMatchObject({
    replace_original: true,
    text: `Extended by 14 days by Dana Ruiz: the foundation phase of Acme Cloud GmbH now ends ${deadline}.`,
  });
  expect(JSON.stringify(replaced?.blocks)).not.toContain('"actions"'); // the buttons are gone

  const again = await click(message, 'checkpoint_extend');
  expect(responseTo(again.responseId)).toMatchObject({ text: replaced?.text });
  expect((await stateOf(partnerId)).extensions).toBe(before.extensions + 1);

  // Another button on the same (already decided) message: the workflow's reason.
  const late = await click(message, 'checkpoint_advance');
  expect(responseTo(late.responseId)).toMatchObject({
    replace_original: true,
    text: 'Not applied: no checkpoint is awaiting a decision. (Dana Ruiz asked to advance.)',
  });
  expect((await stateOf(partnerId)).phase).toBe('foundation');
});

it('answers 401 to a bad signature, a timestamp older than 5 minutes, or no signing secret, and changes nothing', async () => {
  const { partnerId, message } = await atCheckpoint();
  const bad = await click(message, 'checkpoint_advance', { secret: 'not-the-signing-secret-0000' });
  const stale = await click(message, 'checkpoint_advance', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
  expect([bad.status, stale.status]).toEqual([401, 401]);
  const unsigned = await fetch(`${api.url}/v1/slack/interactions`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'payload=%7B%7D',
  });
  expect(unsigned.status).toBe(401);
  const off = await h.startApi({}); // no SLACK_SIGNING_SECRET: buttons off
  const offRes = await fetch(`${off.url}/v1/slack/interactions`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)) },
    body: 'payload=%7B%7D',
  });
  expect(offRes.status).toBe(401);
  expect(await offRes.json()).toMatchObject({ message: expect.stringContaining('SLACK_SIGNING_SECRET is not set') });
  expect([responseTo(bad.responseId), responseTo(stale.responseId)]).toEqual([undefined, undefined]);
  expect(await stateOf(partnerId)).toMatchObject({ phase: 'foundation', awaitingDecision: true });
});

it("lets only the manager decide a message sent to the manager's DM", async () => {
  const { partnerId, message } = await atCheckpoint();
  const other = await click(message, 'checkpoint_offboard', { user: 'U0OTHER' });
  expect(other.status).toBe(200);
  expect(responseTo(other.responseId)).toEqual({
    response_type: 'ephemeral',
    replace_original: false,
    text: "Only <@U0DANA>, the partner's manager, can decide here.",
  });
  expect((await stateOf(partnerId)).phase).toBe('foundation');
});

it('acknowledges an opportunity from the SLA message and stops its clock', async () => {
  const registeredAt = new Date(Date.now() - 25 * 3600_000).toISOString();
  const { partnerId } = await atCheckpoint();
  await call(api, 'POST', `/v1/partners/${partnerId}/events`, {
    key: KEYS.system,
    body: [
      { eventId: 'b101', type: 'training_completed', data: { module: 'business_101' } },
      { eventId: 'reg', type: 'opportunity_registered', occurredAt: registeredAt, data: { opportunityId: 'opp-7', account: 'Globex' } },
    ],
  });
  const sla = await eventually(
    async () => slack.posted.find((m) => m.metadata?.event_payload.key === `onboarding-${partnerId}/opportunity_sla_manager:opp-7:manager`),
    (m) => m !== undefined,
  );
  expect(buttons(sla!).map((b) => b.text.text)).toEqual(['Acknowledge']);
  const ack = await click(sla!, 'opportunity_acknowledge');
  expect(responseTo(ack.responseId)).toMatchObject({ replace_original: true, text: `Acknowledged by Dana Ruiz: opportunity opp-7 of ${partnerId}.` });
  const state = await stateOf(partnerId);
  expect(state.opportunities.find((o) => o.opportunityId === 'opp-7')).toMatchObject({ acknowledgedAt: expect.any(String), owner: 'Dana Ruiz' });
});
