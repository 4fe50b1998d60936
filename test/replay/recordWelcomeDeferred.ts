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
import { onboardingStart } from '../../client/onboardingClient';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { WORKFLOW_TYPE, partnerEventSignal } from '../../workflows/messages';
import { DAY_MS, sleepUntilDay, stateOf } from '../helpers/drive';
import { profileFor, withIds } from '../helpers/journeys';
import { uniq } from '../helpers/temporal';
import { recordOne } from './recordOne';

recordOne('core-welcome-deferred', async (env, taskQueue) => {
  const now = await env.currentTimeMs();
  const businessDay = new Date(now + 3 * DAY_MS).getUTCDay() || 7;
  const playbook = { ...DEFAULT_PLAYBOOK, businessHours: { ...DEFAULT_PLAYBOOK.businessHours, weekdays: [businessDay] } };
  const profile = profileFor('core', uniq('welcome'), { contractSignedAt: new Date(now).toISOString() });
  const handle = await env.client.workflow.start(WORKFLOW_TYPE, onboardingStart(profile, { taskQueue, playbook }, now));
  const [day0] = withIds(
    [{ day: 0, events: [{ type: 'kickoff_completed' }, { type: 'portal_access_granted', data: { systems: ['portal', 'training', 'deal_registration'] } }] }],
    'core',
    profile.partnerId,
  );
  for (const event of day0!.events) await handle.signal(partnerEventSignal, event);
  await sleepUntilDay(env, now, 4);
  const welcome = (await stateOf(handle)).milestones.find((m) => m.id === 'welcome_email');
  if (welcome?.status !== 'done') throw new Error(`the welcome e-mail is ${welcome?.status}, not done, on day 4`);
  return { handle, summary: `welcome sent ${welcome.completedAt}, due ${welcome.dueAt}` };
}).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
