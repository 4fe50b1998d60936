/**
 * Conflicting registrations across partners, end to end on the dev server:
 * partner workflows, their account activity, the `accountRegistry` workflows
 * reached by update-with-start, the HTTP API, a real SMTP server on loopback and
 * Slack's WebClient against a local Web API.
 *
 * Issue 13's "done when": two partners registering initech.example within the
 * same second produce exactly one conflict, seen by both managers.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { recipientId } from '../../activities/recipients';
import { createApiServer } from '../../client/api';
import type { Timeline, TimelineEntry } from '../../client/apiTypes';
import { OnboardingClient } from '../../client/onboardingClient';
import { parseConfig } from '../../config/env';
import type { AccountState } from '../../workflows/accounts/schema';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import type { NotificationRule, Playbook } from '../../workflows/playbook';
import type { OnboardingState, PartnerProfile } from '../../workflows/types';
import { startFakeSlack, type FakeSlack, type PostedMessage } from '../activities/fixtures/slackServer';
import { startSmtpServer, type TestSmtpServer } from '../activities/fixtures/smtpServer';
import { createDevEnv, createTestWorker, tempDataDir, uniq } from '../helpers/temporal';

const ROOT = path.join(__dirname, '..', '..');
const ESCALATION = 'C0ESCALATE';
/** Partner e-mails go out at once: every hour of every day is business hours here. */
const ALL_HOURS = { weekdays: [1, 2, 3, 4, 5, 6, 7], startHour: 0, endHour: 24 };
const FIRST_WINS: Playbook = { ...DEFAULT_PLAYBOOK, businessHours: ALL_HOURS };
const MANAGER_DECIDES: Playbook = { ...FIRST_WINS, accountConflicts: { rule: 'manager_decides' } };
/** A playbook whose core segment writes its own conflict rules, not essential: recipients' preferences may turn them off. */
const optional = (id: string, kind: NotificationRule['kind'], audience: NotificationRule['audience'], on: 'account_conflict' | 'account_conflict_resolved'): NotificationRule => ({
  id,
  kind,
  audience,
  trigger: { on },
  essential: false,
});
const OPTIONAL_CONFLICT_MESSAGES: Playbook = {
  ...FIRST_WINS,
  version: 'conflicts-not-essential',
  segments: {
    ...FIRST_WINS.segments,
    core: {
      ...FIRST_WINS.segments.core,
      notifications: [
        ...FIRST_WINS.segments.core.notifications,
        optional('conflict_team', 'account_conflict', ['manager', 'escalation'], 'account_conflict'),
        optional('conflict_team_decided', 'account_conflict', ['manager', 'escalation'], 'account_conflict_resolved'),
        optional('conflict_partner', 'registration_conflict', ['partner'], 'account_conflict'),
        optional('conflict_partner_decided', 'registration_conflict', ['partner'], 'account_conflict_resolved'),
      ],
    },
  },
};

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let smtp: TestSmtpServer;
let slack: FakeSlack;
let api: FastifyInstance;
let url: string;
let taskQueue: string;

beforeAll(async () => {
  [env, smtp, slack] = await Promise.all([createDevEnv(), startSmtpServer(), startFakeSlack()]);
  taskQueue = uniq('conflicts');
  const configFor = (publicUrl?: string) =>
    parseConfig({
      DATA_DIR: tempDataDir(),
      SMTP_URL: smtp.url,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.apiUrl,
      SLACK_ESCALATION_CHANNEL: ESCALATION,
      TEMPORAL_TASK_QUEUE: taskQueue,
      LOG_LEVEL: 'error',
      // Partner e-mails carry each recipient's signed preferences link, to this file's API.
      PREFERENCES_SECRET: 'e2e-conflicts-secret-0123456789abcdef',
      ...(publicUrl ? { PUBLIC_URL: publicUrl } : {}),
    });
  api = await createApiServer({ client: env.client, config: configFor(), playbook: FIRST_WINS, logger: { level: 'silent' } });
  await api.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  worker = await createTestWorker(env, taskQueue, configFor(url), { shutdownGraceTime: '1 second' });
  running = worker.run();
}, 120_000);

afterAll(async () => {
  await api?.close();
  worker?.shutdown();
  await running;
  await env?.teardown();
  await Promise.all([smtp?.close(), slack?.close()]);
});

async function http<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

interface Partner {
  id: string;
  name: string;
  manager: PartnerProfile['partnerManager'];
  contact: string;
}

/** A partner on `playbook` (experienced: registration is not gated), with its own manager and contact. */
async function partner(label: string, playbook: Playbook = FIRST_WINS): Promise<Partner> {
  const id = uniq(label);
  const manager = { name: `${label} manager`, email: `${id}-manager@vendor.example`, slackUserId: `U${id.replace(/[^a-z0-9]/gi, '').toUpperCase()}` };
  const contact = `${id}@partner.example`;
  const onboarding = new OnboardingClient(env.client, { taskQueue, playbook });
  await onboarding.start({
    partnerId: id,
    name: `${label} Partners`,
    segment: 'core',
    role: 'sales',
    experienced: true,
    timezone: 'UTC',
    partnerManager: manager,
    contacts: [{ role: 'sales', name: `${label} contact`, email: contact }],
  });
  return { id, name: `${label} Partners`, manager, contact };
}

function register(p: Partner, opportunityId: string, domain: string, amount = 40_000, account = 'Initech, Inc.') {
  return http('POST', `/v1/partners/${p.id}/events`, {
    eventId: `reg-${opportunityId}`,
    type: 'opportunity_registered',
    data: { opportunityId, account, domain, amount },
  });
}

const state = async (p: Partner) => (await http<OnboardingState>('GET', `/v1/partners/${p.id}`)).body;

async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Slack posts whose idempotency key names `conflictId`, per destination (a manager's DM, or the escalation channel). */
function postsAbout(conflictId: string): PostedMessage[] {
  return slack.posted.filter((m) => String(m.metadata?.event_payload.key ?? '').includes(`:${conflictId}:`));
}
const dm = (p: Partner) => `D-${p.manager.slackUserId}`;

/** The CLI against this file's API, as a separate process. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin/onboarding.js'), ...args],
      { cwd: ROOT, env: { ...process.env, ONBOARDING_API_URL: url }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
const mailsTo = (p: Partner) => smtp.messages.filter((m) => m.envelope.to.includes(p.contact));

describe('first registration wins', () => {
  it('two partners registering initech.example within the same second produce exactly one conflict, seen by both managers', async () => {
    const domain = 'initech.example'; // this file's dev server is its own
    const [a, b] = await Promise.all([partner('Contoso'), partner('Northwind')]);
    const started = Date.now();
    const answers = await Promise.all([register(a, 'a-1', domain, 60_000), register(b, 'b-1', domain)]);
    expect(answers.map((r) => r.status)).toEqual([202, 202]);
    expect(Date.now() - started).toBeLessThan(1000);

    // The registry: one holder, one conflict.
    const account = await eventually('the conflict', async () => {
      const r = await http<AccountState>('GET', `/v1/accounts/${domain}`);
      return r.status === 200 && r.body.conflicts.length > 0 && r.body;
    });
    expect(account.conflicts).toHaveLength(1);
    const [conflict] = account.conflicts;
    expect(conflict).toMatchObject({ rule: 'first_registration_wins', status: 'resolved', winner: 'holder' });
    const holder = [a, b].find((p) => conflict!.holder.kind === 'partner' && conflict!.holder.partnerId === p.id)!;
    const challenger = holder === a ? b : a;
    expect(account.holder).toMatchObject({ kind: 'partner', partnerId: holder.id });
    expect(account.claims.map((c) => [c.partnerId, c.status]).sort()).toEqual([[holder.id, 'held'], [challenger.id, 'rejected']].sort());

    // Both partners show the same one conflict; the later registration is refused and does not count.
    const [held, refused] = await eventually('both partners to know', async () => {
      const both = await Promise.all([state(holder), state(challenger)]);
      return both.every((s) => s.conflicts.length === 1 && s.opportunities[0]?.accountCheck !== 'pending') && both;
    });
    expect(held.conflicts[0]).toMatchObject({ conflictId: conflict!.conflictId, role: 'holder', outcome: 'kept', other: { partnerId: challenger.id } });
    expect(refused.conflicts[0]).toMatchObject({ conflictId: conflict!.conflictId, role: 'challenger', outcome: 'rejected', other: { partnerId: holder.id } });
    expect(held.opportunities[0]).toMatchObject({ status: 'registered', accountCheck: 'held', accountKey: domain });
    expect(refused.opportunities[0]).toMatchObject({ status: 'disqualified', accountCheck: 'conflict', conflictId: conflict!.conflictId });
    expect(held.indicators.timeToFirstRegistrationDays).not.toBeNull();
    expect(refused.indicators.timeToFirstRegistrationDays).toBeNull();

    // Both managers hear once each; the escalation channel hears once.
    const posts = await eventually('the Slack posts', async () => {
      const p = postsAbout(conflict!.conflictId);
      return p.length >= 3 && p;
    });
    await new Promise((r) => setTimeout(r, 1000)); // nothing more arrives
    expect(postsAbout(conflict!.conflictId).length).toBe(3);
    expect(posts.map((p) => p.channel).sort()).toEqual([dm(holder), dm(challenger), ESCALATION].sort());
    const toHolder = posts.find((p) => p.channel === dm(holder))!;
    const toChallenger = posts.find((p) => p.channel === dm(challenger))!;
    expect(toHolder.text).toContain(`${holder.name} keeps it`);
    expect(toChallenger.text).toContain(`${challenger.name}' registration for ${domain} refused`);
    // Managers see both sides.
    expect(JSON.stringify(toChallenger.blocks)).toContain(holder.name);
    expect(JSON.stringify(toChallenger.blocks)).toContain(holder.manager.email);

    // The refused partner gets one e-mail, which never names the holder or its deal; the holder gets none.
    const mail = await eventually('the refusal e-mail', async () => mailsTo(challenger).find((m) => /registration/.test(m.headers.subject ?? '')));
    expect(mail.headers.subject).toBe('We could not accept your registration for Initech, Inc.');
    for (const secret of [holder.name, holder.id, holder === a ? 'a-1' : 'b-1', holder === a ? '60,000' : '40,000', holder.manager.email]) {
      expect(mail.text).not.toContain(secret);
      expect(mail.html).not.toContain(secret);
    }
    expect(mailsTo(holder).filter((m) => /registration/.test(m.headers.subject ?? ''))).toEqual([]);
  });

  it('a burst of five partners registering one account at once: one holds it, four conflicts, no registration lost', async () => {
    const domain = `${uniq('globex')}.example`;
    const partners = await Promise.all(['P1', 'P2', 'P3', 'P4', 'P5'].map((l) => partner(l)));
    await Promise.all(partners.map((p, i) => register(p, `opp-${i}`, domain)));
    const account = await eventually('every claim', async () => {
      const r = await http<AccountState>('GET', `/v1/accounts/${domain}`);
      return r.status === 200 && r.body.claims.length === 5 && r.body;
    });
    expect(account.claims.filter((c) => c.status === 'held')).toHaveLength(1);
    expect(account.conflicts).toHaveLength(4);
    expect(new Set(account.conflicts.map((c) => c.conflictId)).size).toBe(4);
    const holderId = account.claims.find((c) => c.status === 'held')!.partnerId;
    expect(account.conflicts.every((c) => c.holder.kind === 'partner' && c.holder.partnerId === holderId)).toBe(true);
    const states = await eventually('every partner to know', async () => {
      const all = await Promise.all(partners.map(state));
      return all.every((s) => s.opportunities[0]?.accountCheck !== 'pending' && (s.partnerId === holderId ? s.conflicts.length === 4 : s.conflicts.length === 1)) && all;
    });
    expect(states.filter((s) => s.opportunities[0]!.accountCheck === 'held').map((s) => s.partnerId)).toEqual([holderId]);
  });

  it('registrations without an account never reach the registry', async () => {
    const p = await partner('Plain');
    await http('POST', `/v1/partners/${p.id}/events`, { eventId: 'r', type: 'opportunity_registered', data: { opportunityId: 'x-1' } });
    const s = await eventually('the registration', async () => {
      const v = await state(p);
      return v.indicators.timeToFirstRegistrationDays !== null && v;
    });
    expect(s.opportunities[0]).not.toHaveProperty('accountCheck');
    const history = await env.client.workflow.getHandle(`onboarding-${p.id}`).fetchHistory();
    const activities = history.events!.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(activities).not.toContain('settleAccounts');
  });
});

describe('the direct team (CRM)', () => {
  it('owns an account: a partner registering it is refused, and told it is our direct team’s', async () => {
    const domain = `${uniq('umbrella')}.example`;
    const crm = await http<AccountState>('POST', '/v1/accounts/events', {
      eventId: uniq('crm'),
      type: 'direct_ownership_claimed',
      data: { account: 'Umbrella Corp', domain, owner: 'Jordan Lee', crmId: 'ACC-7' },
    });
    expect(crm.status).toBe(200);
    expect(crm.body.holder).toMatchObject({ kind: 'direct', owner: 'Jordan Lee', crmId: 'ACC-7' });

    const p = await partner('Fabrikam');
    await register(p, 'f-1', domain, 10_000, 'Umbrella');
    const s = await eventually('the conflict', async () => {
      const v = await state(p);
      return v.conflicts.length === 1 && v;
    });
    expect(s.conflicts[0]).toMatchObject({ role: 'challenger', outcome: 'rejected', other: { kind: 'direct', owner: 'Jordan Lee' } });
    const posts = await eventually('manager and escalation', async () => {
      const x = postsAbout(s.conflicts[0]!.conflictId);
      return x.length >= 2 && x;
    });
    expect(posts.map((x) => x.channel).sort()).toEqual([dm(p), ESCALATION].sort());
    const mail = await eventually('the e-mail', async () => mailsTo(p).find((m) => /registration/.test(m.headers.subject ?? '')));
    expect(mail.text).toContain('our direct sales team already works');
    expect(mail.text).not.toContain('Jordan Lee');
  });

  it("claims an account a partner holds: one conflict, the partner's manager and the escalation channel hear once; a repeated event changes nothing", async () => {
    const domain = `${uniq('hooli')}.example`;
    const p = await partner('Tailspin');
    await register(p, 't-1', domain);
    await eventually('the registration', async () => (await state(p)).opportunities[0]?.accountCheck === 'held');
    const event = { eventId: uniq('crm'), type: 'direct_ownership_claimed', data: { domain, owner: 'Avery Kim' } };
    const first = await http<AccountState>('POST', '/v1/accounts/events', event);
    const again = await http<AccountState>('POST', '/v1/accounts/events', event);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(first.body.conflicts).toHaveLength(1);
    expect(again.body.conflicts).toHaveLength(1);
    expect(first.body.holder).toMatchObject({ kind: 'partner', partnerId: p.id }); // first registration wins
    const s = await eventually('the partner to know', async () => {
      const v = await state(p);
      return v.conflicts.length === 1 && v;
    });
    expect(s.conflicts[0]).toMatchObject({ role: 'holder', outcome: 'kept', other: { kind: 'direct' } });
    expect(s.opportunities[0]).toMatchObject({ status: 'registered', accountCheck: 'held' });
    await eventually('manager and escalation', async () => postsAbout(s.conflicts[0]!.conflictId).length >= 2);
    expect(postsAbout(s.conflicts[0]!.conflictId).map((x) => x.channel).sort()).toEqual([dm(p), ESCALATION].sort());
  });

  it('refuses an event that names no account, naming the field', async () => {
    const r = await http<{ fields: { field: string }[] }>('POST', '/v1/accounts/events', { eventId: 'x', type: 'direct_ownership_claimed', data: { owner: 'A' } });
    expect(r.status).toBe(400);
    expect(r.body.fields.map((f) => f.field)).toEqual(['data.account']);
  });
});

describe('a manager decides', () => {
  it('holds both registrations until a manager decides through the API; both sides hear the outcome', async () => {
    const domain = `${uniq('initrode')}.example`;
    const a = await partner('Adatum', MANAGER_DECIDES);
    await register(a, 'ad-1', domain);
    await eventually('the first registration', async () => (await state(a)).opportunities[0]?.accountCheck === 'held');
    const b = await partner('Litware', MANAGER_DECIDES);
    await register(b, 'lw-1', domain);
    const waiting = await eventually('the open conflict', async () => {
      const v = await state(b);
      return v.conflicts[0]?.status === 'open' && v;
    });
    const { conflictId } = waiting.conflicts[0]!;
    expect(waiting.conflicts[0]).toMatchObject({ outcome: 'awaiting_decision', role: 'challenger' });
    expect(waiting.opportunities[0]).toMatchObject({ status: 'registered', accountCheck: 'conflict' });
    expect(waiting.indicators.timeToFirstRegistrationDays).toBeNull(); // counts once decided in its favour
    await eventually('the under-review e-mail', async () => mailsTo(b).find((m) => /under review/.test(m.headers.subject ?? '')));

    // Refusals leave the conflict open, with the reason.
    expect((await http('POST', `/v1/accounts/${domain}/decisions`, { conflictId, winner: 'someone-else' })).status).toBe(409);
    expect((await http('POST', `/v1/accounts/${domain}/decisions`, { conflictId: `${domain}#9`, winner: b.id })).status).toBe(409);
    // A conflict id of another account: well-formed, but not this account's to decide (409 with the reason).
    const foreign = await http<{ error: string; message: string }>('POST', `/v1/accounts/${uniq('nobody')}.example/decisions`, { conflictId: 'x.example#1', winner: b.id });
    expect(foreign.status).toBe(409);
    expect(foreign.body.message).toMatch(/^x\.example#1 is not a conflict of account nobody-\S+\.example/);
    expect((await http('GET', `/v1/accounts/${uniq('nobody')}.example`)).status).toBe(404);

    const decided = await http<AccountState>('POST', `/v1/accounts/${domain}/decisions`, { conflictId, winner: b.id, by: 'pat@vendor.example', note: 'Litware brought the customer' });
    expect(decided.status).toBe(200);
    expect(decided.body.holder).toMatchObject({ partnerId: b.id });
    expect(decided.body.conflicts[0]).toMatchObject({ status: 'resolved', winner: 'challenger', decidedBy: 'pat@vendor.example' });
    const again = await http<{ message: string }>('POST', `/v1/accounts/${domain}/decisions`, { conflictId, winner: a.id });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/already decided/);

    const [sa, sb] = await eventually('both partners to hear', async () => {
      const both = await Promise.all([state(a), state(b)]);
      return both.every((s) => s.conflicts[0]?.status === 'resolved') && both;
    });
    expect(sa.conflicts[0]).toMatchObject({ outcome: 'lost', decidedBy: 'pat@vendor.example' });
    expect(sa.opportunities[0]).toMatchObject({ status: 'disqualified' });
    expect(sb.conflicts[0]).toMatchObject({ outcome: 'won' });
    expect(sb.opportunities[0]).toMatchObject({ status: 'registered', accountCheck: 'held' });
    expect(sb.indicators.timeToFirstRegistrationDays).not.toBeNull();

    // Both timelines show the conflict: flagged (a's from the registry's signal, b's from its claim's answer), then decided.
    const conflictsIn = async (p: Partner) =>
      (await http<Timeline>('GET', `/v1/partners/${p.id}/timeline`)).body.entries
        .filter((e): e is Extract<TimelineEntry, { kind: 'account_conflict' }> => e.kind === 'account_conflict')
        .map((e) => [e.conflictId, e.stage, e.role, e.outcome, e.other, e.decidedBy ?? null]);
    expect(await conflictsIn(a)).toEqual([
      [conflictId, 'flagged', 'holder', 'awaiting_decision', b.id, null],
      [conflictId, 'resolved', 'holder', 'lost', b.id, 'pat@vendor.example'],
    ]);
    expect(await conflictsIn(b)).toEqual([
      [conflictId, 'flagged', 'challenger', 'awaiting_decision', a.id, null],
      [conflictId, 'resolved', 'challenger', 'won', a.id, 'pat@vendor.example'],
    ]);
    await eventually('the outcome e-mails', async () =>
      mailsTo(b).some((m) => /is accepted/.test(m.headers.subject ?? '')) && mailsTo(a).some((m) => /could not accept/.test(m.headers.subject ?? '')),
    );
    // Each manager: the conflict, then its outcome; the escalation channel: both, once each.
    await eventually('the Slack outcome', async () => postsAbout(conflictId).length >= 6);
    const channels = postsAbout(conflictId).map((x) => x.channel).sort();
    expect(channels).toEqual([dm(a), dm(a), dm(b), dm(b), ESCALATION, ESCALATION].sort());
  });

  it('the CLI shows the account and records the decision; a second decision exits 5 with the reason', async () => {
    const domain = `${uniq('fourthcoffee')}.example`;
    const a = await partner('Relecloud', MANAGER_DECIDES);
    await register(a, 'rc-1', domain);
    await eventually('held', async () => (await state(a)).opportunities[0]?.accountCheck === 'held');
    const b = await partner('Woodgrove', MANAGER_DECIDES);
    await register(b, 'wg-1', domain);
    const { conflictId } = (await eventually('the open conflict', async () => (await state(b)).conflicts[0]))!;

    const shown = await cli(['account', domain]);
    expect(shown).toMatchObject({ code: 0 });
    expect(shown.stdout).toMatch(new RegExp(`${conflictId}\\s+manager_decides\\s+open`));
    const decided = await cli(['resolve', conflictId, '--winner', a.id, '--by', 'Pat Lin']);
    expect(decided).toMatchObject({ code: 0 });
    expect(decided.stdout).toMatch(/held by\s+Relecloud Partners/);
    const again = await cli(['resolve', conflictId, '--winner', b.id]);
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(/already decided \(Pat Lin\)/);
    expect((await cli(['resolve', 'no-hash', '--winner', a.id])).code).toBe(2);
    const lost = await eventually('the decision to reach the loser', async () => (await state(b)).conflicts[0]?.outcome === 'lost');
    expect(lost).toBe(true);
    const trail = await cli(['timeline', b.id]);
    expect(trail.code).toBe(0);
    expect(trail.stdout).toContain(`conflict ${conflictId} flagged (challenger, wg-1 vs ${a.id}): awaiting decision`);
    expect(trail.stdout).toContain(`conflict ${conflictId} resolved (challenger, wg-1 vs ${a.id}): lost by Pat Lin`);
  });

  it('a lost deal frees the account: the next partner to register it holds it', async () => {
    const domain = `${uniq('contoso')}.example`;
    const a = await partner('Wingtip');
    await register(a, 'w-1', domain);
    await eventually('held', async () => (await state(a)).opportunities[0]?.accountCheck === 'held');
    await http('POST', `/v1/partners/${a.id}/events`, { eventId: 'lost', type: 'deal_lost', data: { opportunityId: 'w-1' } });
    await eventually('the release', async () => (await http<AccountState>('GET', `/v1/accounts/${domain}`)).body.holder === null);
    const b = await partner('Proseware');
    await register(b, 'p-1', domain);
    const s = await eventually('held', async () => {
      const v = await state(b);
      return v.opportunities[0]?.accountCheck !== 'pending' && v;
    });
    expect(s.opportunities[0]!.accountCheck).toBe('held');
    expect(s.conflicts).toEqual([]);
  });
});

describe('notification preferences (as for every other kind)', () => {
  /** Sets a recipient's preferences through the API, as a manager or ops would. */
  async function prefer(address: string, change: Record<string, unknown>): Promise<void> {
    const r = await http('PATCH', `/v1/preferences/${recipientId(address)}`, { ...change, by: 'conflict test' });
    expect(r.status).toBe(200);
  }
  const conflictEntries = (s: OnboardingState, conflictId: string) => s.notifications.filter((n) => n.key.includes(`:${conflictId}:`));

  it('by default the conflict messages are essential: an unsubscribed contact is still told, and so is a manager who muted the kind', async () => {
    const domain = `${uniq('essential')}.example`;
    const a = await partner('Alpine');
    await register(a, 'al-1', domain);
    await eventually('held', async () => (await state(a)).opportunities[0]?.accountCheck === 'held');
    const b = await partner('Bayside');
    await prefer(b.contact, { unsubscribed: true });
    await prefer(b.manager.email, { mutedKinds: ['account_conflict'], mutedChannels: ['slack'] });
    await register(b, 'bs-1', domain);
    const { conflictId } = (await eventually('the conflict', async () => (await state(b)).conflicts[0]))!;

    const mail = await eventually('the refusal e-mail', async () => mailsTo(b).find((m) => /could not accept/.test(m.headers.subject ?? '')));
    expect(mail.text).toContain('This message is essential: it reaches you even if you unsubscribe from reminders.');
    expect(mail.headers['list-unsubscribe']).toMatch(new RegExp(`^<${url}/unsubscribe\\?token=.+>$`));
    const posts = await eventually('both managers and the escalation channel', async () => {
      const p = postsAbout(conflictId);
      return p.length >= 3 && p;
    });
    expect(posts.map((p) => p.channel).sort()).toEqual([dm(a), dm(b), ESCALATION].sort());
    // In b's state: sent to its manager and its contact (and to the escalation channel when b is the side that tells it).
    const sent = conflictEntries(await state(b), conflictId).filter((n) => !n.key.endsWith(':escalation'));
    expect(sent.map((n) => [n.kind, n.key.split(':').at(-1), n.status]).sort()).toEqual([
      ['account_conflict', 'manager', 'sent'],
      ['registration_conflict', 'partner', 'sent'],
    ]);
  });

  it("a playbook that makes them optional: a muted manager and an unsubscribed contact are not told (suppressed, never retried); the other manager and the escalation channel are", async () => {
    const domain = `${uniq('optional')}.example`;
    const a = await partner('Cedar', OPTIONAL_CONFLICT_MESSAGES);
    await register(a, 'cd-1', domain);
    await eventually('held', async () => (await state(a)).opportunities[0]?.accountCheck === 'held');
    const b = await partner('Dunmore', OPTIONAL_CONFLICT_MESSAGES);
    await prefer(b.contact, { unsubscribed: true });
    await prefer(b.manager.email, { mutedKinds: ['account_conflict'] });
    await register(b, 'dm-1', domain);
    const { conflictId } = (await eventually('the conflict', async () => (await state(b)).conflicts[0]))!;

    // Suppressed for b, recorded in its state with the reason; delivered for a and the escalation channel.
    const sb = await eventually('b to record its conflict messages', async () => {
      const v = await state(b);
      return conflictEntries(v, conflictId).length >= 3 && v; // to its manager, to the escalation channel, to its contact
    });
    const entries = conflictEntries(sb, conflictId);
    expect(entries.filter((n) => n.status === 'suppressed').map((n) => n.kind).sort()).toEqual(['account_conflict', 'registration_conflict']);
    expect(entries.filter((n) => n.status === 'suppressed').every((n) => typeof n.reason === 'string' && n.reason.length > 0)).toBe(true);
    await eventually('a and the escalation channel', async () => postsAbout(conflictId).length >= 2);
    await new Promise((r) => setTimeout(r, 1500)); // nothing more arrives, and nothing is retried
    expect(postsAbout(conflictId).map((p) => p.channel).sort()).toEqual([dm(a), ESCALATION].sort());
    expect(mailsTo(b).filter((m) => /registration/.test(m.headers.subject ?? ''))).toEqual([]);
    // The workflow's conflict itself is unaffected: flagged on both partners.
    expect(sb.conflicts[0]).toMatchObject({ conflictId, outcome: 'rejected' });
    expect((await state(a)).conflicts[0]).toMatchObject({ conflictId, outcome: 'kept' });
  });
});
