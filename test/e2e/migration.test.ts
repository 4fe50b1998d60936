/**
 * Playbook versions and migration end to end, on the dev server (Updates need a
 * real clock): publish versions over the API, 50 running partners in every
 * segment and at different days, `onboarding migrate --dry-run` (one query per
 * partner, no history written), then the migration through the Update, whose
 * applied diffs match the dry run.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { MigrationResult, PlaybookDetail, PlaybookList, PublishResult, Timeline } from '../../client/apiTypes';
import { playbookHash, publishCurrentPlaybook } from '../../client/playbooks';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { migratePlaybookUpdate, onboardingWorkflowId } from '../../workflows/messages';
import { parsePlaybook, type Playbook, type SegmentPlan } from '../../workflows/playbook';
import type { OnboardingState, Segment } from '../../workflows/types';
import { KEYS, call, eventually, profile, startHarness, type Api, type Harness } from '../api/harness';
import { uniq } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');
const ADMIN_KEY = 'admin-key-0123456789abcdef';
const DAY = 86_400_000;

let h: Harness;
let api: Api;

/** A valid copy of the default playbook under another version. */
function variant(version: string, edit: (segments: Playbook['segments']) => void): Playbook {
  const pb = structuredClone(DEFAULT_PLAYBOOK);
  pb.version = version;
  edit(pb.segments);
  const parsed = parsePlaybook(pb);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  return parsed.value;
}

function withoutMilestone(plan: SegmentPlan, id: string): void {
  plan.milestones = plan.milestones.filter((m) => m.id !== id);
  for (const rule of plan.notifications) {
    if (rule.trigger.on === 'milestone_due' && rule.trigger.milestones.ids) rule.trigger.milestones.ids = rule.trigger.milestones.ids.filter((x) => x !== id);
  }
}

/** The fixed version of the tests: core foundation shorter, a milestone added, one removed, a rule added; strategic moved. */
const V2 = variant(uniq('v2'), (segments) => {
  const core = segments.core;
  core.phaseDays = { foundation: 25, activation: 35, momentum: 30 };
  for (const m of core.milestones) if (m.phase === 'foundation' && m.dueDay > 25) m.dueDay = 25;
  core.milestones.splice(9, 0, {
    id: 'security_training',
    title: 'Security training',
    phase: 'foundation',
    owner: 'partner',
    dueDay: 20,
    requiredAtCheckpoint: true,
    completion: { kind: 'event', events: ['training_completed'], match: { module: 'security' } },
  });
  withoutMilestone(core, 'target_account_lists');
  core.notifications.push({ id: 'week1_recap', kind: 'week2_checkin', audience: ['manager'], trigger: { on: 'start', afterHours: 7 * 24 } });
  segments.strategic.milestones.find((m) => m.id === 'co_selling_training')!.dueDay = 50;
});
const V3 = variant(uniq('v3'), (segments) => {
  segments.strategic.milestones.find((m) => m.id === 'executive_sponsor')!.dueDay = 28;
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin/onboarding.js'), ...args],
      { cwd: ROOT, env: { ...process.env, ONBOARDING_API_URL: api.url, ONBOARDING_API_KEY: ADMIN_KEY }, timeout: 120_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

interface CliMigration {
  partners: MigrationResult[];
  counts: Record<string, number>;
  temporalActions: { queries: number; updates: number };
  planDigest: string;
}

async function cliJson(args: string[]): Promise<CliMigration> {
  const run = await cli([...args, '--json']);
  if (run.code !== 0) throw new Error(`onboarding ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as CliMigration;
}

const historyLength = async (partnerId: string) => (await h.env.client.workflow.getHandle(onboardingWorkflowId(partnerId)).describe()).historyLength;

/** 50 running partners: every segment, contracts signed 1 to 58 days ago, half of them with their first week done. */
const partners: { partnerId: string; segment: Segment; daysAgo: number }[] = [];

beforeAll(async () => {
  h = await startHarness();
  api = await h.startApi({ API_KEYS: ['ops', 'system', 'manager'].map((role) => `${role}:${ADMIN_KEY}`).join(',') });
  // What `npm start` and `npm run api` do at start.
  await publishCurrentPlaybook(h.env.client, { taskQueue: h.taskQueue }, DEFAULT_PLAYBOOK);
  const days = [1, 4, 9, 13, 20, 24, 27, 31, 33, 45, 58];
  const now = Date.now();
  for (let i = 0; i < 50; i++) {
    const segment: Segment = i % 5 === 0 ? 'strategic' : i % 7 === 0 ? 'transactional' : 'core';
    const daysAgo = days[i % days.length]!;
    // Half an hour off the day boundaries: nothing falls due while the test runs.
    const signed = now - daysAgo * DAY + 30 * 60_000;
    const p = profile({ segment, role: segment === 'strategic' ? 'strategic' : 'sales', contractSignedAt: new Date(signed).toISOString() });
    expect((await call(api, 'POST', '/v1/partners', { key: ADMIN_KEY, body: p })).status).toBe(201);
    if (i % 2 === 0) {
      const at = new Date(signed + DAY).toISOString();
      const events = ['kickoff_completed', 'portal_access_granted', 'profile_completed', 'agreements_signed'].map((type) => ({
        eventId: `${p.partnerId}-${type}`,
        type,
        occurredAt: at,
      }));
      expect((await call(api, 'POST', `/v1/partners/${p.partnerId}/events`, { key: ADMIN_KEY, body: events })).status).toBe(202);
    }
    partners.push({ partnerId: p.partnerId, segment, daysAgo });
  }
  // Every partner has started and applied its events (the dry run queries them all).
  for (const { partnerId } of partners) {
    await eventually(
      () => call<OnboardingState>(api, 'GET', `/v1/partners/${partnerId}`, { key: ADMIN_KEY }),
      (r) => r.status === 200,
    );
  }
  await eventually(
    () => call<{ partners: unknown[] }>(api, 'GET', '/v1/partners?pageSize=100', { key: ADMIN_KEY }),
    (r) => r.body.partners.length === 50,
  );
}, 180_000);
afterAll(() => h?.close());

describe('publishing versions', () => {
  it('publishes once per version id; the same content again is 200, another content under it 409', async () => {
    const first = await call<PublishResult>(h.api, 'POST', '/v1/playbooks', { key: KEYS.ops, body: V2 });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ version: V2.version, hash: playbookHash(V2), created: true, current: false });
    expect((await call<PublishResult>(h.api, 'POST', '/v1/playbooks', { key: KEYS.ops, body: structuredClone(V2) })).status).toBe(200);
    const other = await call(h.api, 'POST', '/v1/playbooks', { key: KEYS.ops, body: { ...V2, passMark: 70 } });
    expect(other).toMatchObject({ status: 409, body: { error: 'conflict' } });
    expect(other.body.message).toContain(`playbook version ${V2.version} is already published with other content`);
    expect((await call(h.api, 'POST', '/v1/playbooks', { key: KEYS.ops, body: V3 })).status).toBe(201);
  });

  it('refuses an invalid playbook naming the field, and other roles', async () => {
    const bad = await call(h.api, 'POST', '/v1/playbooks', { key: KEYS.ops, body: { ...V2, version: 'has space' } });
    expect(bad).toMatchObject({ status: 400, body: { fields: [{ field: 'version', message: expect.stringContaining('A-Z a-z 0-9') }] } });
    expect((await call(h.api, 'POST', '/v1/playbooks', { key: KEYS.manager, body: V2 })).status).toBe(403);
    expect((await call(h.api, 'POST', `/v1/playbooks/${V2.version}/migrations`, { key: KEYS.manager, body: { dryRun: true } })).status).toBe(403);
  });

  it('lists versions from visibility and serves their content', async () => {
    const list = await eventually(
      () => call<PlaybookList>(h.api, 'GET', '/v1/playbooks', { key: KEYS.manager }),
      (r) => r.body.versions.length === 3,
    );
    expect(list.body.versions.map((v) => v.version).sort()).toEqual([DEFAULT_PLAYBOOK.version, V2.version, V3.version].sort());
    expect(list.body.versions.find((v) => v.version === DEFAULT_PLAYBOOK.version)).toMatchObject({
      current: true,
      publishedBy: 'PLAYBOOK_PATH at start',
      segments: {
        core: {
          days: 90,
          milestones: DEFAULT_PLAYBOOK.segments.core.milestones.length,
          required: DEFAULT_PLAYBOOK.segments.core.milestones.filter((m) => m.requiredAtCheckpoint).length,
        },
      },
    });
    const detail = await call<PlaybookDetail>(h.api, 'GET', `/v1/playbooks/${V2.version}`, { key: KEYS.manager });
    expect(detail.status).toBe(200);
    expect(detail.body.playbook).toEqual(V2);
    expect((await call(h.api, 'GET', '/v1/playbooks/no-such-version', { key: KEYS.manager })).status).toBe(404);
    const table = await cli(['playbooks']);
    expect(table.stdout).toMatch(new RegExp(`${V2.version}\\s+${playbookHash(V2).slice(0, 12)}`));
  });

  it('publishing at start is idempotent, and a changed playbook under its version stops the start', async () => {
    await expect(publishCurrentPlaybook(h.env.client, { taskQueue: h.taskQueue }, DEFAULT_PLAYBOOK)).resolves.toMatchObject({ created: false });
    await expect(publishCurrentPlaybook(h.env.client, { taskQueue: h.taskQueue }, { ...DEFAULT_PLAYBOOK, passMark: 75 })).rejects.toThrow(
      `PLAYBOOK_PATH: playbook version ${DEFAULT_PLAYBOOK.version} is already published with other content`,
    );
  });
});

describe('migrating 50 running partners', () => {
  let dryRun: CliMigration;
  const historyBefore = new Map<string, number>();

  it('the dry run prints the per-partner changes, one query per partner, and writes no history', async () => {
    for (const { partnerId } of partners) historyBefore.set(partnerId, await historyLength(partnerId));
    dryRun = await cliJson(['migrate', '--to', V2.version, '--dry-run', '--page-size', '20']);
    expect(dryRun.partners.map((p) => p.partnerId).sort()).toEqual(partners.map((p) => p.partnerId).sort());
    expect(dryRun.counts).toMatchObject({ would_migrate: 50, migrated: 0, refused: 0, failed: 0 });
    expect(dryRun.temporalActions).toEqual({ queries: 50, updates: 0 });
    for (const { partnerId } of partners) expect(await historyLength(partnerId)).toBe(historyBefore.get(partnerId));

    // What the diffs say, by segment and day.
    const diffOf = (partnerId: string) => dryRun.partners.find((p) => p.partnerId === partnerId)!.diff!;
    for (const { partnerId, segment, daysAgo } of partners) {
      const diff = diffOf(partnerId);
      expect(diff).toMatchObject({ partnerId, segment, from: { version: DEFAULT_PLAYBOOK.version }, to: { version: V2.version, hash: playbookHash(V2) } });
      if (segment === 'core') {
        expect(diff.milestones.removed.map((m) => m.id)).toEqual(['target_account_lists']);
        const added = diff.milestones.added.find((m) => m.id === 'security_training')!;
        // Nobody here finishes foundation, so the added milestone is due on day 20, or the next day of the plan.
        if (daysAgo <= 20) expect(added).toMatchObject({ rule: 'as_planned', due: { day: 20 } });
        else expect(added).toMatchObject({ rule: 'next_day', due: { day: daysAgo } });
        if (daysAgo >= 26 && daysAgo < 30) {
          // Foundation now lasts 25 days: the deadline moves to the next day of the plan, not into the past.
          expect(diff.deadlines[0]).toMatchObject({ phase: 'foundation', to: { day: daysAgo }, rule: 'next_day' });
        }
        // The new rule's moment (day 7) has passed: it is never sent.
        if (daysAgo >= 7) expect(diff.notificationsSkipped).toContain('week1_recap:manager');
        else expect(diff.notificationsSkipped).not.toContain('week1_recap:manager');
      }
      if (segment === 'transactional') expect(diff.milestones).toMatchObject({ added: [], removed: [], moved: [], changed: [] });
    }

    const text = await cli(['migrate', '--to', V2.version, '--dry-run']);
    expect(text.code).toBe(0);
    for (const { partnerId } of partners) {
      expect(text.stdout).toContain(`${partnerId}  would migrate  [${dryRun.partners.find((p) => p.partnerId === partnerId)!.digest}]`);
    }
    expect(text.stdout).toMatch(/\+ added {4}security_training \(foundation, required\): due day 20 \(/);
    expect(text.stdout).toMatch(/- removed {2}target_account_lists \(foundation, (was pending|was overdue|done: kept in the record)\)/);
    expect(text.stdout).toContain(`dry run of playbook ${V2.version} (sha256 ${playbookHash(V2).slice(0, 12)}): 50 running partners: 50 would migrate`);
    expect(text.stdout).toContain('Temporal: 50 queries (billed actions), no history written');
    expect(text.stdout).toContain(`plan digest ${dryRun.planDigest}`);
    expect(text.stderr).toContain('page 1: 50 partners');
  }, 120_000);

  it('the migration applies through the Update: the applied diffs match the dry run', async () => {
    const applied = await cliJson(['migrate', '--to', V2.version, '--by', 'ops@vendor.example', '--page-size', '20']);
    expect(applied.counts).toMatchObject({ migrated: 50, refused: 0, failed: 0 });
    expect(applied.temporalActions).toEqual({ queries: 0, updates: 50 });
    for (const result of applied.partners) {
      const previewed = dryRun.partners.find((p) => p.partnerId === result.partnerId)!;
      expect(result.diff).toEqual(previewed.diff);
      expect(result.digest).toBe(previewed.digest);
    }
    expect(applied.planDigest).toBe(dryRun.planDigest);

    // Each partner is on the new version, with the diff applied, and its history holds the Update.
    for (const { partnerId, segment } of partners) {
      const state = (await call<OnboardingState>(api, 'GET', `/v1/partners/${partnerId}`, { key: ADMIN_KEY })).body;
      expect(state).toMatchObject({
        playbookVersion: V2.version,
        playbookHash: playbookHash(V2),
        playbookMigrations: [{ from: { version: DEFAULT_PLAYBOOK.version, hash: playbookHash(DEFAULT_PLAYBOOK) }, to: { version: V2.version }, by: 'ops@vendor.example' }],
      });
      if (segment === 'core') {
        expect(state.milestones.map((m) => m.id)).toContain('security_training');
        expect(state.milestones.map((m) => m.id)).not.toContain('target_account_lists');
      }
    }
    const history = await h.env.client.workflow.getHandle(onboardingWorkflowId(partners[0]!.partnerId)).fetchHistory();
    const updates = (history.events ?? []).filter((e) => e.workflowExecutionUpdateCompletedEventAttributes);
    expect(updates).toHaveLength(1);

    // The timeline shows the move, with who asked and what it changed, to the API and the CLI.
    const core = partners.find((p) => p.segment === 'core')!;
    const entries = (await call<Timeline>(api, 'GET', `/v1/partners/${core.partnerId}/timeline`, { key: ADMIN_KEY })).body.entries;
    const moved = entries.filter((e) => e.kind === 'playbook_migrated');
    expect(moved).toEqual([
      expect.objectContaining({
        to: { version: V2.version, hash: playbookHash(V2) },
        from: { version: DEFAULT_PLAYBOOK.version, hash: playbookHash(DEFAULT_PLAYBOOK) },
        by: 'ops@vendor.example',
        milestonesAdded: expect.arrayContaining(['security_training']),
        milestonesRemoved: expect.arrayContaining(['target_account_lists']),
      }),
    ]);
    const printed = await cli(['timeline', core.partnerId]);
    expect(printed.stdout).toMatch(new RegExp(`playbook_migrated +playbook ${DEFAULT_PLAYBOOK.version.replace(/\./g, '\\.')} -> ${V2.version.replace(/\./g, '\\.')} by ops@vendor\\.example \\(added [^)]*security_training`));
  }, 120_000);

  it('running it again costs nothing: visibility says every partner is on the version', async () => {
    const again = await eventually(
      () => cliJson(['migrate', '--to', V2.version]),
      (r) => r.counts.unchanged === 50,
    );
    expect(again.temporalActions).toEqual({ queries: 0, updates: 0 });
  }, 60_000);

  it('a refused Update (a target the partner cannot run) writes no history', async () => {
    const { partnerId } = partners[1]!;
    const before = await historyLength(partnerId);
    const broken = structuredClone(V3) as unknown as { segments: Record<string, { phaseDays: unknown }> };
    for (const plan of Object.values(broken.segments)) plan.phaseDays = { foundation: 0, activation: 30, momentum: 30 };
    const handle = h.env.client.workflow.getHandle(onboardingWorkflowId(partnerId));
    const refused = await handle
      .executeUpdate(migratePlaybookUpdate, { args: [{ playbook: broken as unknown as Playbook, hash: 'x' }] })
      .then(() => null, (err: unknown) => err);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause?.message).toMatch(/phaseDays\.foundation: must be a whole number of days/);
    expect(await historyLength(partnerId)).toBe(before);
  });

  it('a segment filter asks only that segment; --from skips the others', async () => {
    const strategic = await cliJson(['migrate', '--to', V3.version, '--dry-run', '--segment', 'strategic']);
    const expected = partners.filter((p) => p.segment === 'strategic').map((p) => p.partnerId).sort();
    expect(strategic.partners.map((p) => p.partnerId).sort()).toEqual(expected);
    expect(strategic.counts.would_migrate).toBe(expected.length);
    for (const result of strategic.partners) {
      expect(result.diff!.milestones.moved).toContainEqual(expect.objectContaining({ id: 'executive_sponsor', from: expect.objectContaining({ day: 21 }), to: expect.objectContaining({ day: 28 }) }));
    }
    const fromOld = await cliJson(['migrate', '--to', V3.version, '--dry-run', '--from', DEFAULT_PLAYBOOK.version]);
    expect(fromOld.counts).toMatchObject({ skipped: 50, would_migrate: 0 });
    expect(fromOld.temporalActions.queries).toBe(0);
  }, 60_000);

  it('an unknown version is a 404 (exit 3)', async () => {
    const run = await cli(['migrate', '--to', 'no-such-version', '--dry-run']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('no published playbook version no-such-version');
  });
});
