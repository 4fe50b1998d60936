/**
 * Determinism guard: every recorded history must replay against today's workflow
 * code. A change that would break running partners fails here first.
 *
 * Histories named `*-encrypted.json` were recorded with payload encryption on
 * (./encryptionKey.ts) and replay with the same data converter; the plaintext
 * ones also replay with it (payloads from before encryption pass through), so
 * turning encryption on for running partners is safe.
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { EARLIER_PATCHES, RUN_PATCH, type Since } from '../../workflows/patches';
import { changeVersionUpserts, patchesOf } from '../helpers/patches';
import { quietLogs, workflowBundle } from '../helpers/temporal';
import { replayDataConverter } from './encryptionKey';

const DIR = path.join(__dirname, 'histories');
const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json'));
const encrypted = files.filter((f) => f.endsWith('-encrypted.json'));
const plaintext = files.filter((f) => !encrypted.includes(f));

const load = (file: string) => historyFromJSON(JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')));

beforeAll(() => quietLogs());

test('every segment has a history recorded with the current default playbook, and with the previous one; core also encrypted', () => {
  for (const segment of ['core', 'strategic', 'transactional']) {
    expect(plaintext).toContain(`${segment}-happy-path-${DEFAULT_PLAYBOOK.version}.json`);
    expect(plaintext).toContain(`${segment}-happy-path-default-2026.11.json`);
  }
  expect(encrypted).toContain(`core-happy-path-${DEFAULT_PLAYBOOK.version}-encrypted.json`);
});

test('a history recorded with a playbook migration holds the migratePlaybook Update (test/replay/recordMigration.ts)', () => {
  const file = `core-migrated-by-update-${DEFAULT_PLAYBOOK.version}.json`;
  expect(files).toContain(file);
  const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')));
  const accepted = history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
  expect(accepted.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name)).toEqual(['migratePlaybook']);
  expect(history.events?.some((e) => e.workflowExecutionUpdateCompletedEventAttributes?.outcome?.success)).toBe(true);
});

test('a conflict between two partners is recorded on both sides and in the account registry (test/replay/recordConflicts.ts)', () => {
  const names = (file: string) => {
    expect(files).toContain(file);
    const events = load(file).events ?? [];
    return {
      updates: events.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name).filter(Boolean),
      signalsIn: events.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName).filter(Boolean),
      signalsOut: events.map((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName).filter(Boolean),
      activities: events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean),
    };
  };
  const version = DEFAULT_PLAYBOOK.version;
  // The registry: both claims by update-with-start, the manager's decision, and a notice to each side that had to hear.
  const registry = names(`conflict-account-registry-${version}.json`);
  expect(registry.updates).toEqual(['claimAccount', 'claimAccount', 'decideAccountConflict']);
  expect(registry.signalsOut.length).toBeGreaterThanOrEqual(2);
  expect(registry.signalsOut.every((n) => n === 'accountConflict')).toBe(true);
  // Each partner asked the registry through its account activity and heard back.
  for (const side of ['holder', 'challenger']) {
    const partner = names(`conflict-${side}-${version}.json`);
    expect(partner.activities).toContain('settleAccounts');
    expect(partner.activities).toContain('deliverNotification');
    expect(partner.signalsIn).toContain('accountConflict');
  }
});

/** Updates accepted in a history, by name (a refused Update leaves no event). */
function acceptedUpdates(file: string): (string | null | undefined)[] {
  const events = load(file).events ?? [];
  return events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name);
}

test('decisions by Update are recorded with the current default playbook and before it, and refused ones left no event', () => {
  // The journey (test/helpers/decisionJourney.ts) also tries an unknown milestone, the wrong phase and a second decision.
  for (const file of [`core-decisions-by-update-${DEFAULT_PLAYBOOK.version}.json`, 'core-decisions-by-update.json', `core-decisions-by-update-${DEFAULT_PLAYBOOK.version}-${RUN_PATCH}.json`]) {
    expect(files).toContain(file);
    expect(acceptedUpdates(file)).toEqual(['waiveMilestone', 'decideCheckpoint']);
  }
  expect(files).toContain(`core-decisions-by-signal-${DEFAULT_PLAYBOOK.version}.json`);
});

test("a digest manager's partner is recorded behind the cross-partner-digest patch, publishing its digest entry", () => {
  const file = `core-digest-manager-${DEFAULT_PLAYBOOK.version}.json`;
  expect(files).toContain(file);
  const events = load(file).events ?? [];
  expect(patchesOf(events)).toContain('cross-partner-digest');
  expect(events.some((e) => e.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields?.digest)).toBe(true);
  expect(acceptedUpdates(file)).toEqual(['waiveMilestone', 'decideCheckpoint']);
});

test('a welcome that business hours hold back past the contract\'s 48 hours is recorded before and behind the welcome-due-from-send patch (test/replay/recordWelcomeDeferred.ts)', () => {
  const summary = (file: string) => {
    expect(files).toContain(file);
    const events = load(file).events ?? [];
    const fired = events.filter((e) => e.timerFiredEventAttributes).map((e) => Number(e.eventTime?.seconds));
    const start = Number(events[0]?.eventTime?.seconds);
    return {
      patches: patchesOf(events),
      // Days after the start at which a timer woke the partner.
      wakeDays: fired.map((s) => Math.floor((s - start) / 86_400)),
      healthUpserts: events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.OnboardingHealth).length,
    };
  };
  const before = summary(`core-welcome-deferred-${DEFAULT_PLAYBOOK.version}.json`);
  const after = summary(`core-welcome-deferred-${DEFAULT_PLAYBOOK.version}-due-from-send.json`);
  // Before: a wake-up at the contract's 48 hours turned the partner "behind", and the welcome on day 3 back.
  expect(before.patches).not.toContain('welcome-due-from-send');
  expect(before.wakeDays).toEqual([2, 3]);
  expect(before.healthUpserts).toBe(2);
  // Behind the patch: one wake-up, to send the welcome; the partner was never behind.
  expect(after.patches).toContain('welcome-due-from-send');
  expect(after.wakeDays).toEqual([3]);
  expect(after.healthUpserts).toBe(0);
  // Behind the one marker of a run started today: the same.
  const current = summary(`core-welcome-deferred-${DEFAULT_PLAYBOOK.version}-${RUN_PATCH}.json`);
  expect(current.patches).toEqual([RUN_PATCH]);
  expect({ wakeDays: current.wakeDays, healthUpserts: current.healthUpserts }).toEqual({ wakeDays: [3], healthUpserts: 0 });
});

test('reminders due together are recorded one by one before the bundled-reminders patch, and as one behind it (test/replay/recordRemindersDueTogether.ts)', () => {
  const reminders = (file: string) => {
    expect(files).toContain(file);
    const events = load(file).events ?? [];
    return {
      patches: patchesOf(events),
      keys: events
        .map((e) => e.activityTaskScheduledEventAttributes)
        .filter((a) => a?.activityType?.name === 'deliverNotification')
        .map((a) => (JSON.parse(Buffer.from(a!.input!.payloads![0]!.data!).toString()) as { request: { key: string } }).request.key)
        .filter((key) => key.startsWith('milestone_reminder:product_')),
    };
  };
  const before = reminders(`core-reminders-due-together-${DEFAULT_PLAYBOOK.version}.json`);
  expect(before.patches).not.toContain('bundled-reminders');
  expect(before.keys.sort()).toEqual(['milestone_reminder:product_assessment:d30:partner', 'milestone_reminder:product_training:d30:partner']);
  const after = reminders(`core-reminders-due-together-${DEFAULT_PLAYBOOK.version}-bundled.json`);
  expect(after.patches).toContain('bundled-reminders');
  expect(after.keys).toEqual(['milestone_reminder:product_training:d30+product_assessment:d30:partner']);
  // Behind the one marker of a run started today: bundled too.
  const current = reminders(`core-reminders-due-together-${DEFAULT_PLAYBOOK.version}-${RUN_PATCH}.json`);
  expect(current.patches).toEqual([RUN_PATCH]);
  expect(current.keys).toEqual(after.keys);
});

test(`runs started by today's code record one patch marker, ${RUN_PATCH}, and one TemporalChangeVersion upsert (workflows/patches.ts)`, () => {
  const version = DEFAULT_PLAYBOOK.version;
  const recorded = files.filter((f) => f.endsWith(`-${RUN_PATCH}.json`)).sort();
  expect(recorded).toEqual(
    [
      `core-decisions-by-update-${version}`,
      `core-happy-path-${version}`,
      `core-reminders-due-together-${version}`,
      `core-welcome-deferred-${version}`,
      `strategic-happy-path-${version}`,
      `transactional-happy-path-${version}`,
    ].map((name) => `${name}-${RUN_PATCH}.json`),
  );
  for (const file of recorded) {
    const events = load(file).events;
    expect({ file, patches: patchesOf(events), upserts: changeVersionUpserts(events) }).toEqual({ file, patches: [RUN_PATCH], upserts: 1 });
  }
  // A run behind it takes every patch any earlier recording took; later patches are asked with patched() itself.
  const earlier = new Set(plaintext.filter((f) => !recorded.includes(f)).flatMap((f) => patchesOf(load(f).events)));
  expect([...earlier].sort()).toEqual([...EARLIER_PATCHES].sort());
  const since: Since = () => true;
  // @ts-expect-error a patch added after RUN_PATCH is not one `since` answers for (`npm run lint` type-checks this)
  since('a-later-patch');
  // Recorded before it: a marker and an upsert per patch.
  const before = load(`core-reminders-due-together-${version}-bundled.json`).events;
  expect(patchesOf(before)).toEqual(['cross-partner-digest', 'welcome-due-from-send', 'bundled-reminders', 'report-on-change', 'keep-earlier-timer']);
  expect(changeVersionUpserts(before)).toBe(5);
});

test.each(plaintext)('%s replays without nondeterminism', async (file) => {
  const history = load(file);
  expect(history.events?.length).toBeGreaterThan(10);
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), replayName: file }, history);
});

test.each(plaintext)('%s replays with payload encryption turned on (plaintext payloads pass through)', async (file) => {
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter: replayDataConverter(), replayName: file }, load(file));
});

describe.each(encrypted)('%s', (file) => {
  it('holds no partner name or e-mail in plaintext', () => {
    const text = fs.readFileSync(path.join(DIR, file), 'utf8');
    const decoded = [...text.matchAll(/"([A-Za-z0-9+/]{8,}={0,2})"/g)].map((m) => Buffer.from(m[1]!, 'base64').toString('latin1')).join('\n');
    for (const secret of ['Core Partner', 'Lee Park', 'lee@partner.example', 'kim@partner.example']) {
      expect(text).not.toContain(secret);
      expect(decoded).not.toContain(secret);
    }
  });

  it('replays with the data converter it was recorded with', async () => {
    const history = load(file);
    expect(history.events?.length).toBeGreaterThan(10);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter: replayDataConverter(), replayName: file }, history);
  });

  it('does not replay without the key', async () => {
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle(), replayName: file }, load(file))).rejects.toThrow();
  });
});
