/**
 * The `onboarding` CLI as a child process against the running API: tables,
 * --json, and the exit codes scripts rely on.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { PartnerPage, StartResult, Timeline } from '../../client/apiTypes';
import type { OnboardingState } from '../../workflows/types';
import { eventually, profile, startHarness, type Api, type Harness } from '../api/harness';
import { uniq } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');
const ADMIN_KEY = 'admin-key-0123456789abcdef';

let h: Harness;
let api: Api;
beforeAll(async () => {
  h = await startHarness();
  api = await h.startApi({ API_KEYS: ['ops', 'system', 'manager'].map((role) => `${role}:${ADMIN_KEY}`).join(',') });
});
afterAll(() => h?.close());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI asynchronously: the API it calls is served by this very process. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin/onboarding.js'), ...args],
      { cwd: ROOT, env: { ...process.env, ONBOARDING_API_URL: api.url, ONBOARDING_API_KEY: ADMIN_KEY, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function profileFile(overrides = {}): { file: string; partnerId: string; email: string } {
  const email = `${uniq('cli')}@vendor.example`;
  const p = profile({ partnerManager: { name: 'Dana Ruiz', email }, ...overrides });
  const file = path.join(h.dataDir, `${p.partnerId}.json`);
  fs.writeFileSync(file, JSON.stringify(p));
  return { file, partnerId: p.partnerId, email };
}

it('prints help for the CLI and each command', async () => {
  const top = await cli(['--help']);
  expect(top.code).toBe(0);
  for (const command of ['start', 'event', 'status', 'list', 'decide', 'waive', 'timeline', 'report']) expect(top.stdout).toContain(command);
  const decide = await cli(['decide', '--help']);
  expect(decide).toMatchObject({ code: 0, stdout: expect.stringContaining('--decision <advance|extend|offboard>') });
});

it('starts, sends events, shows status, lists, decides and shows the timeline', async () => {
  const { file, partnerId, email } = profileFile();
  const started = await cli(['start', '--file', file]);
  expect(started).toMatchObject({ code: 0, stdout: expect.stringContaining(`started: ${partnerId}`) });
  const again = await cli(['start', '--file', file, '--json']);
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout) as StartResult).toMatchObject({ partnerId, created: false });

  const sent = await cli(['event', partnerId, '--type', 'training_completed', '--data', '{"module":"business_101"}', '--event-id', 'lms-1']);
  expect(sent).toMatchObject({ code: 0, stdout: expect.stringContaining('accepted 1 event') });

  const state = await eventually(
    async () => JSON.parse((await cli(['status', partnerId, '--json'])).stdout) as OnboardingState,
    (s) => s.milestones.some((m) => m.id === 'business_101_training' && m.status === 'done'),
  );
  expect(state).toMatchObject({ partnerId, phase: 'foundation' });
  const table = await cli(['status', partnerId]);
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(/MILESTONE\s+PHASE\s+REQUIRED\s+STATUS\s+DUE\s+COMPLETED/);
  expect(table.stdout).toMatch(/business_101_training\s+foundation\s+no\s+done/);

  const listed = await eventually(
    async () => JSON.parse((await cli(['list', '--manager', email, '--json'])).stdout) as PartnerPage,
    (page) => page.partners.length === 1,
  );
  expect(listed.partners[0]).toMatchObject({ partnerId, phase: 'foundation' });
  expect((await cli(['list', '--manager', email])).stdout).toMatch(new RegExp(`PARTNER\\s+NAME[\\s\\S]*${partnerId}\\s+Acme Cloud GmbH\\s+core`));

  // Day 5: no checkpoint awaits a decision; the workflow's reason, exit code 5 (conflict).
  const refused = await cli(['decide', partnerId, '--decision', 'extend', '--days', '7', '--by', 'Dana']);
  expect(refused).toMatchObject({ code: 5, stderr: expect.stringContaining('409 refused: no checkpoint is awaiting a decision') });

  // Signed 31 days ago: the foundation checkpoint awaits a decision.
  const late = profileFile({ contractSignedAt: new Date(Date.now() - 31 * 24 * 3600_000).toISOString() });
  expect((await cli(['start', '--file', late.file])).code).toBe(0);
  await eventually(
    async () => JSON.parse((await cli(['status', late.partnerId, '--json'])).stdout) as OnboardingState,
    (s) => s.awaitingDecision,
  );
  const before = JSON.parse((await cli(['status', late.partnerId, '--json'])).stdout) as OnboardingState;
  const waived = await cli(['waive', late.partnerId, 'portal_access', '--reason', 'granted in the old portal', '--by', 'Dana']);
  expect(waived).toMatchObject({ code: 0, stdout: expect.stringMatching(/^waived portal_access: .* is in foundation, deadline /) });
  const decided = await cli(['decide', late.partnerId, '--decision', 'extend', '--days', '7', '--phase', 'foundation', '--by', 'Dana']);
  const deadline = new Date(Date.parse(before.phaseDeadline!) + 7 * 24 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
  expect(decided).toMatchObject({ code: 0, stdout: `extended: ${late.partnerId} is in foundation, deadline ${deadline} UTC (1 extension)\n` });

  const timeline = await cli(['timeline', late.partnerId, '--json']);
  const entries = (JSON.parse(timeline.stdout) as Timeline).entries;
  expect(entries.find((e) => e.kind === 'decision')).toMatchObject({ decision: { decision: 'extend', days: 7, by: 'Dana' }, outcome: 'accepted', via: 'update' });
  expect(entries.find((e) => e.kind === 'event' && e.type === 'milestone_waived')).toMatchObject({ outcome: 'accepted', via: 'update' });
  expect((await cli(['timeline', partnerId])).stdout).toMatch(/training_completed lms-1 accepted/);
});

it('exits 2 on usage errors, 3 not found, 4 invalid input, 5 conflict, 6 auth, 1 server or network errors', async () => {
  const { file, partnerId } = profileFile();
  expect((await cli(['start', '--file', file])).code).toBe(0);

  expect((await cli([])).code).toBe(2);
  expect((await cli(['frobnicate'])).code).toBe(2);
  expect((await cli(['status'])).code).toBe(2);
  expect((await cli(['start', '--no-such-flag'])).code).toBe(2);
  expect(await cli(['event', partnerId, '--type', 'kickoff_completed', '--data', '{oops'])).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('--data is not valid JSON'),
  });
  expect((await cli(['decide', partnerId, '--decision', 'maybe'])).code).toBe(2);

  expect(await cli(['status', uniq('nobody')])).toMatchObject({ code: 3, stderr: expect.stringContaining('404') });

  const invalid = await cli(['start', '--partner-id', uniq('p'), '--name', 'X', '--segment', 'huge', '--role', 'sales']);
  expect(invalid.code).toBe(4);
  expect(invalid.stderr).toMatch(/segment: /);
  expect(invalid.stderr).toMatch(/partnerManager: /);

  expect((await cli(['start', '--file', file, '--name', 'Renamed Partner'])).code).toBe(5);
  expect((await cli(['status', partnerId], { ONBOARDING_API_KEY: 'wrong-key-0123456789' })).code).toBe(6);

  expect(await cli(['report'])).toMatchObject({ code: 1, stderr: expect.stringContaining('not available') });
  const down = await cli(['status', partnerId], { ONBOARDING_API_URL: 'http://127.0.0.1:9' });
  expect(down).toMatchObject({ code: 1, stderr: expect.stringContaining('cannot reach the API') });
});

it('update changes the profile, prints what changed, and refuses without --by', async () => {
  const { file, partnerId } = profileFile();
  expect((await cli(['start', '--file', file])).code).toBe(0);
  expect(await cli(['update', partnerId, '--timezone', 'Asia/Tokyo'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--by is required') });
  const updated = await cli([
    'update', partnerId,
    '--manager-name', 'Alex Chen', '--manager-email', 'alex@vendor.example',
    '--roles', 'sales,technical', '--by', 'ops', '--reason', 'handover',
  ]);
  expect(updated.code).toBe(0);
  expect(updated.stdout).toContain(`${partnerId}: changed partnerManager, roles (by ops)`);
  expect(updated.stdout).toContain('manager Alex Chen <alex@vendor.example>');
  expect(updated.stdout).toContain('roles sales + technical');
  const invalid = await cli(['update', partnerId, '--segment', 'platinum', '--by', 'ops']);
  expect(invalid).toMatchObject({ code: 4, stderr: expect.stringContaining('segment:') });
});

it('preferences shows and changes a recipient by address, and refuses flags that do not fit', async () => {
  const address = `${uniq('pref')}@acme.example`;
  const shown = await cli(['preferences', address]);
  expect(shown).toMatchObject({ code: 0, stdout: expect.stringMatching(/unsubscribed\s+no/) });
  expect(shown.stdout).toMatch(/changed\s+never/);

  const muted = await cli(['preferences', address.toUpperCase(), '--mute', 'survey_request,milestone_reminder', '--by', 'Dana', '--json']);
  expect(muted.code).toBe(0);
  expect(JSON.parse(muted.stdout)).toMatchObject({ mutedKinds: ['milestone_reminder', 'survey_request'], updatedBy: 'Dana', changes: 1 });
  const unmuted = await cli(['preferences', address, '--unmute', 'survey_request', '--mute-channel', 'email', '--json']);
  expect(JSON.parse(unmuted.stdout)).toMatchObject({ mutedKinds: ['milestone_reminder'], mutedChannels: ['email'], changes: 2 });

  for (const [args, message] of [
    [['--mute', 'newsletters'], '--mute takes a comma-separated list of'],
    [['--quiet-hours', '8pm-7am', '--timezone', 'UTC'], '--quiet-hours takes HH:MM-HH:MM'],
    [['--quiet-hours', '20:00-07:00'], '--quiet-hours needs --timezone'],
    [['--unsubscribe', '--resubscribe'], 'give --unsubscribe or --resubscribe, not both'],
  ] as const) {
    expect(await cli(['preferences', address, ...args])).toMatchObject({ code: 2, stderr: expect.stringContaining(message) });
  }
  // The workflow's rules, through the API: a bad time zone is invalid input (exit 4), naming the field.
  const bad = await cli(['preferences', address, '--quiet-hours', '20:00-07:00', '--timezone', 'Mars/Base']);
  expect(bad).toMatchObject({ code: 4, stderr: expect.stringContaining('quietHours.timezone') });
});
