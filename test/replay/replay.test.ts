/**
 * Determinism guard: every recorded history must replay against today's workflow
 * code. A change that would break running partners fails here first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { quietLogs, workflowBundle } from '../helpers/temporal';

const DIR = path.join(__dirname, 'histories');
const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json'));

beforeAll(() => quietLogs());

test('every segment has a history recorded with the current default playbook, and with the previous one', () => {
  for (const segment of ['core', 'strategic', 'transactional']) {
    expect(files).toContain(`${segment}-happy-path-${DEFAULT_PLAYBOOK.version}.json`);
    expect(files).toContain(`${segment}-happy-path-default-2026.11.json`);
  }
});

test('a history recorded with a playbook migration holds the migratePlaybook Update (test/replay/recordMigration.ts)', () => {
  const file = `core-migrated-by-update-${DEFAULT_PLAYBOOK.version}.json`;
  expect(files).toContain(file);
  const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')));
  const accepted = history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
  expect(accepted.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name)).toEqual(['migratePlaybook']);
  expect(history.events?.some((e) => e.workflowExecutionUpdateCompletedEventAttributes?.outcome?.success)).toBe(true);
});

test.each(files)('%s replays without nondeterminism', async (file) => {
  const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')));
  expect(history.events?.length).toBeGreaterThan(10);
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), replayName: file }, history);
});
