/**
 * Records, for the replay test, a core partner whose welcome e-mail business
 * hours hold back past its due date (a contract signed on a Friday evening):
 * the playbook's only business day is three days after the contract, and the
 * partner's day-2 steps are done on day 0, so the welcome alone is open at day 2.
 *
 *   npx tsx test/replay/recordWelcomeDeferred.ts            # core-welcome-deferred-<playbook version>.json
 *   npx tsx test/replay/recordWelcomeDeferred.ts --suffix=NAME
 *
 * The recording without a suffix was made before the `welcome-due-from-send`
 * patch (the welcome counted late, and a wake-up at its due date flipped the
 * partner's health); it must keep replaying as it ran. Re-record deliberately,
 * only for a versioned change. On the time-skipping server: a few seconds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { onboardingStart } from '../../client/onboardingClient';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { WORKFLOW_TYPE, partnerEventSignal } from '../../workflows/messages';
import { DAY_MS, sleepUntilDay, stateOf } from '../helpers/drive';
import { profileFor, withIds } from '../helpers/journeys';
import { createTestWorker, createTimeSkippingEnv, uniq } from '../helpers/temporal';

async function main(): Promise<void> {
  const suffix = process.argv.find((a) => a.startsWith('--suffix='))?.slice('--suffix='.length);
  const env = await createTimeSkippingEnv();
  const taskQueue = uniq('record-welcome');
  const worker = await createTestWorker(env, taskQueue);
  try {
    await worker.runUntil(async () => {
      const now = await env.currentTimeMs();
      const businessDay = new Date(now + 3 * DAY_MS).getUTCDay() || 7;
      const playbook = { ...DEFAULT_PLAYBOOK, businessHours: { ...DEFAULT_PLAYBOOK.businessHours, weekdays: [businessDay] } };
      const profile = profileFor('core', uniq('welcome'), { contractSignedAt: new Date(now).toISOString() });
      const handle = await env.client.workflow.start(WORKFLOW_TYPE, onboardingStart(profile, { taskQueue, playbook }, now));
      const [day0] = withIds(
        [
          {
            day: 0,
            events: [
              { type: 'kickoff_completed' },
              { type: 'portal_access_granted', data: { systems: ['portal', 'training', 'deal_registration'] } },
            ],
          },
        ],
        'core',
        profile.partnerId,
      );
      for (const event of day0!.events) await handle.signal(partnerEventSignal, event);
      await sleepUntilDay(env, now, 4);
      const state = await stateOf(handle);
      const welcome = state.milestones.find((m) => m.id === 'welcome_email');
      if (welcome?.status !== 'done') throw new Error(`the welcome e-mail is ${welcome?.status}, not done, on day 4`);
      const history = temporal.api.history.v1.History.create(await handle.fetchHistory());
      await handle.terminate('recorded');
      const file = path.join(__dirname, 'histories', `core-welcome-deferred-${DEFAULT_PLAYBOOK.version}${suffix ? `-${suffix}` : ''}.json`);
      fs.writeFileSync(file, historyToJSON(history) + '\n');
      console.log(`${file}: ${history.events.length} events; welcome sent ${welcome.completedAt}, due ${welcome.dueAt}`);
    });
  } finally {
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
