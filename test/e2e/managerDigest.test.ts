/**
 * One digest per manager: a manager with 30 digest partners gets no ping from
 * any of them, and one Slack digest a day across all 30, in the manager's
 * morning, with the decision buttons; a re-run of the hour, a second run in
 * the same hour or another hour sends nothing more; the next morning brings
 * the next digest. On the dev server with the production worker, the real
 * WebClient and a local Slack.
 */
import { localTime } from '../../activities/managerDigests';
import { recipientId } from '../../activities/recipients';
import { slackSignature } from '../../client/api/slack';
import { listDigestEntries } from '../../client/digests';
import { managerDigests } from '../../workflows/managerDigests';
import type { OnboardingState } from '../../workflows/types';
import { KEYS, call, eventually, profile, startHarness, type Api, type Harness } from '../api/harness';
import { startFakeSlack, type FakeSlack, type PostedMessage } from '../activities/fixtures/slackServer';
import { uniq } from '../helpers/temporal';

const SECRET = 'slack-signing-secret-0123456789';
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const NEW_YORK = 'America/New_York';

let slack: FakeSlack;
let h: Harness;
let api: Api;

beforeAll(async () => {
  slack = await startFakeSlack();
  slack.users.set('U0MGR', 'Morgan Lee');
  const slackEnv = { SLACK_BOT_TOKEN: slack.token, SLACK_API_URL: slack.apiUrl, SLACK_SIGNING_SECRET: SECRET };
  h = await startHarness({ workerEnv: slackEnv, preferences: true });
  api = await h.startApi({ API_KEYS: Object.entries(KEYS).map(([r, k]) => `${r}:${k}`).join(','), ...slackEnv });
}, 120_000);
afterAll(async () => {
  await h?.close();
  await slack?.close();
});

/** 08:00 in `timeZone` on the day `dayOffset` days from today (UTC), as an instant. */
function morning(timeZone: string, dayOffset = 0, hour = 8): string {
  const start = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) + dayOffset * DAY;
  for (let t = start; t < start + 2 * DAY; t += HOUR) if (localTime(t, timeZone).hour === hour) return new Date(t).toISOString();
  throw new Error('no such hour');
}

async function runDigests(at: string) {
  return h.env.client.workflow.execute(managerDigests, { taskQueue: h.taskQueue, workflowId: uniq('manager-digests'), args: [{ localHour: 8, at }] });
}

const dmOf = (user: string) => slack.posted.filter((m) => m.channel === `D-${user}`);

it('gives a manager with 30 partners one digest a day, and no ping from any partner', async () => {
  const email = `${uniq('morgan')}@vendor.example`;
  const manager = { name: 'Morgan Lee', email, slackUserId: 'U0MGR', digest: true, timezone: NEW_YORK };
  const other = { name: 'Kenji Sato', email: `${uniq('kenji')}@vendor.example`, slackUserId: 'U0KENJI', digest: true, timezone: 'Asia/Tokyo' };
  const signed = new Date(Date.now() - 31 * DAY).toISOString();
  const ids: string[] = [];
  for (let i = 0; i < 32; i++) {
    const p = profile({ name: `Partner ${String(i).padStart(2, '0')}`, contractSignedAt: signed, partnerManager: i < 30 ? manager : other });
    expect((await call(api, 'POST', '/v1/partners', { key: KEYS.ops, body: p })).status).toBe(201);
    ids.push(p.partnerId);
  }
  // Every partner publishes its entry (its checkpoint awaits a decision) in its memo: read from visibility.
  const entries = await eventually(
    () => listDigestEntries(h.env.client),
    (all) => all.filter((e) => ids.includes(e.partnerId) && e.awaiting).length === 32,
    60_000,
  );
  expect(entries.filter((e) => e.manager.email === email && e.awaiting?.phase === 'foundation')).toHaveLength(30);
  expect(entries.find((e) => e.manager.email === email)).toMatchObject({ manager: { timezone: NEW_YORK }, overdueTotal: expect.any(Number) });

  // 30 partners 31 days in would each have pinged the manager (access overdue, checkpoint, ...): none did.
  expect(dmOf('U0MGR')).toEqual([]);

  // This morning in New York: one digest, across all 30 partners.
  const today = await runDigests(morning(NEW_YORK));
  expect(today.filter((o) => o.manager === email)).toEqual([
    { manager: email, localDate: expect.any(String), partners: 30, status: 'sent' },
  ]);
  expect(today.some((o) => o.manager === other.email)).toBe(false); // not Tokyo's morning
  expect(dmOf('U0MGR')).toHaveLength(1);
  const digest = dmOf('U0MGR')[0];
  expect(digest.text).toMatch(/^Your partners on \d{4}-\d\d-\d\d: 30 checkpoint decisions, 0 opportunities to answer, \d+ overdue milestones$/);
  expect(digest.blocks.length).toBeLessThanOrEqual(50);
  const sections = (digest.blocks as { type: string; text?: { text: string } }[]).filter((b) => b.type === 'section');
  expect(sections.slice(1).map((s) => s.text!.text)).toEqual(
    Array.from({ length: 20 }, () => expect.stringContaining('The foundation checkpoint awaits your decision')),
  );
  expect(JSON.stringify(digest.blocks)).toMatch(/Also needing you: (Partner \d\d(, )?){10}/);

  // The same hour again (a retried slot, another run at :30) and the next hour: nothing more.
  const again = await runDigests(morning(NEW_YORK));
  expect(again.filter((o) => o.manager === email)).toEqual([expect.objectContaining({ status: 'duplicate', partners: 30 })]);
  await runDigests(new Date(Date.parse(morning(NEW_YORK)) + 30 * 60_000).toISOString());
  const later = await runDigests(morning(NEW_YORK, 0, 9));
  expect(later.filter((o) => o.manager === email)).toEqual([]);
  expect(dmOf('U0MGR')).toHaveLength(1);

  // Tokyo's morning: the other manager's own digest, with 2 partners.
  const tokyo = await runDigests(morning('Asia/Tokyo'));
  expect(tokyo.filter((o) => o.manager === other.email)).toEqual([expect.objectContaining({ status: 'sent', partners: 2 })]);
  expect(dmOf('U0KENJI')).toHaveLength(1);

  // The next morning: the next digest.
  await runDigests(morning(NEW_YORK, 1));
  expect(dmOf('U0MGR')).toHaveLength(2);

  // Its buttons work like the checkpoint message's: the same Update.
  await clickExtend(digest);
});

it("follows the manager's preferences: only what cannot be turned off, or nothing", async () => {
  const tz = 'Europe/Lisbon';
  const pat = { name: 'Pat Kim', email: `${uniq('pat')}@vendor.example`, slackUserId: 'U0PAT', digest: true, timezone: tz };
  const sam = { name: 'Sam Ode', email: `${uniq('sam')}@vendor.example`, slackUserId: 'U0SAM', digest: true, timezone: tz };
  const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();
  const partners = [
    profile({ name: 'Decision Co', contractSignedAt: daysAgo(31), partnerManager: pat }),
    profile({ name: 'Overdue Co', contractSignedAt: daysAgo(12), partnerManager: pat }),
    profile({ name: 'Quiet Co', contractSignedAt: daysAgo(12), partnerManager: sam }),
  ];
  for (const p of partners) expect((await call(api, 'POST', '/v1/partners', { key: KEYS.ops, body: p })).status).toBe(201);
  // Pat turns the digest off (by Slack id), Sam unsubscribes (by e-mail): through the API, into their preference workflows.
  const patch = (address: string, body: object) =>
    call(api, 'PATCH', `/v1/preferences/${recipientId(address)}`, { key: KEYS.manager, body: { ...body, by: 'ops' } });
  expect((await patch(pat.slackUserId, { mutedKinds: ['manager_digest'] })).status).toBe(200);
  expect((await patch(sam.email, { unsubscribed: true })).status).toBe(200);
  const ids = partners.map((p) => p.partnerId);
  await eventually(
    () => listDigestEntries(h.env.client),
    (all) => all.filter((e) => ids.includes(e.partnerId) && e.overdueTotal > 0).length === 3 && all.some((e) => ids.includes(e.partnerId) && e.awaiting),
    60_000,
  );

  const outcomes = await runDigests(morning(tz));
  expect(outcomes.filter((o) => o.manager === pat.email)).toEqual([
    expect.objectContaining({ status: 'sent', partners: 1, reason: 'manager_digest turned off' }),
  ]);
  expect(outcomes.filter((o) => o.manager === sam.email)).toEqual([
    expect.objectContaining({ status: 'suppressed', partners: 1, reason: 'unsubscribed' }),
  ]);
  expect(dmOf('U0SAM')).toEqual([]);
  expect(dmOf('U0PAT')).toHaveLength(1);
  const text = JSON.stringify(dmOf('U0PAT')[0]!.blocks);
  expect(text).toContain('Decision Co');
  expect(text).toContain('The foundation checkpoint awaits your decision');
  expect(text).not.toContain('Overdue Co');
  expect(text).not.toContain('Overdue:');
  expect(text).toContain('Only what cannot be turned off');
});

async function clickExtend(message: PostedMessage): Promise<void> {
  const actions = (message.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find((b) => b.type === 'actions')!;
  const extend = actions.elements!.find((e) => e.action_id === 'checkpoint_extend')!;
  const partnerId = (JSON.parse(extend.value) as { p: string }).p;
  const before = (await call<OnboardingState>(api, 'GET', `/v1/partners/${partnerId}`, { key: KEYS.manager })).body;
  const body = `payload=${encodeURIComponent(
    JSON.stringify({
      type: 'block_actions',
      user: { id: 'U0MGR', name: 'morgan' },
      actions: [{ action_id: extend.action_id, value: extend.value }],
      container: { message_ts: message.ts },
      message: { ts: message.ts, text: message.text },
      response_url: slack.responseUrl('digest-click'),
    }),
  )}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const res = await fetch(`${api.url}/v1/slack/interactions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(SECRET, timestamp, body),
    },
    body,
  });
  expect(res.status).toBe(200);
  const after = (await call<OnboardingState>(api, 'GET', `/v1/partners/${partnerId}`, { key: KEYS.manager })).body;
  expect(after).toMatchObject({ extensions: before.extensions + 1, awaitingDecision: false });
  expect(slack.responses.find((r) => r.id === 'digest-click')?.body).toMatchObject({ text: expect.stringMatching(/^Extended by 14 days by Morgan Lee/) });
  // The partner's entry no longer asks for that decision: tomorrow's digest will not show it.
  const entries = await eventually(
    () => listDigestEntries(h.env.client),
    (all) => all.find((e) => e.partnerId === partnerId)?.awaiting === undefined,
  );
  expect(entries.find((e) => e.partnerId === partnerId)?.awaiting).toBeUndefined();
}
