/**
 * Records the history of a core partner migrated to another playbook version
 * through the `migratePlaybook` Update, into test/replay/histories/, for the
 * replay test. On the dev server: Updates do not move the time-skipping
 * server's clock. Re-record deliberately, like test/replay/record.ts:
 *
 *   npx tsx test/replay/recordMigration.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { playbookHash } from '../../client/playbooks';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { WORKFLOW_TYPE, migratePlaybookUpdate, onboardingStateQuery, onboardingWorkflowId, partnerEventSignal } from '../../workflows/messages';
import { parsePlaybook, type Playbook } from '../../workflows/playbook';
import { profileFor } from '../helpers/journeys';
import { createDevEnv, createTestWorker, uniq } from '../helpers/temporal';

const DAY = 86_400_000;

/** The default playbook with a shorter core foundation, a milestone added, one removed and a new rule. */
export function migrationTarget(): Playbook {
  const pb = structuredClone(DEFAULT_PLAYBOOK);
  pb.version = 'replay-migration-v2';
  const core = pb.segments.core;
  core.phaseDays = { foundation: 25, activation: 35, momentum: 30 };
  for (const m of core.milestones) if (m.phase === 'foundation' && m.dueDay > 25) m.dueDay = 25;
  core.milestones.push({
    id: 'security_training',
    title: 'Security training',
    phase: 'foundation',
    owner: 'partner',
    dueDay: 24,
    requiredAtCheckpoint: true,
    completion: { kind: 'event', events: ['training_completed'], match: { module: 'security' } },
  });
  core.milestones = core.milestones.filter((m) => m.id !== 'demo_shadowed');
  core.notifications.push({ id: 'week1_recap', kind: 'week2_checkin', audience: ['manager'], trigger: { on: 'start', afterHours: 7 * 24 } });
  const parsed = parsePlaybook(pb);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  return parsed.value;
}

async function main(): Promise<void> {
  const env = await createDevEnv();
  const taskQueue = uniq('record-migration');
  try {
    const worker = await createTestWorker(env, taskQueue);
    await worker.runUntil(async () => {
      // Day 20 of a core partner whose first week is done: the migration moves deadlines, adds, removes, skips.
      const signed = Date.now() - 20 * DAY + 30 * 60_000;
      const profile = profileFor('core', uniq('migrated'), { contractSignedAt: new Date(signed).toISOString() });
      const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: onboardingWorkflowId(profile.partnerId),
        args: [profile, { playbook: DEFAULT_PLAYBOOK, playbookHash: playbookHash(DEFAULT_PLAYBOOK) }],
      });
      const at = new Date(signed + DAY).toISOString();
      for (const type of ['kickoff_completed', 'portal_access_granted', 'profile_completed', 'agreements_signed']) {
        await handle.signal(partnerEventSignal, { eventId: `rec-${type}`, type, occurredAt: at });
      }
      await handle.query(onboardingStateQuery);
      const target = migrationTarget();
      const applied = await handle.executeUpdate(migratePlaybookUpdate, {
        args: [{ playbook: target, hash: playbookHash(target), by: 'recorder' }],
        updateId: 'record-migration',
      });
      await handle.signal(partnerEventSignal, { eventId: 'rec-security', type: 'training_completed', data: { module: 'security' } });
      const state = await handle.query(onboardingStateQuery);
      const history = await handle.fetchHistory();
      await handle.terminate('history recorded');
      const file = path.join(__dirname, 'histories', `core-migrated-by-update-${DEFAULT_PLAYBOOK.version}.json`);
      fs.writeFileSync(file, historyToJSON(history) + '\n');
      const changed = applied.diff.milestones;
      console.log(
        `${file}: ${history.events?.length} events; migrated ${applied.diff.from.version} -> ${applied.diff.to.version} ` +
          `(+${changed.added.length} -${changed.removed.length} ~${changed.moved.length}), now on ${state.playbookVersion}, ` +
          `security_training ${state.milestones.find((m) => m.id === 'security_training')?.status}`,
      );
    });
  } finally {
    await env.teardown();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
