/**
 * Records, for the replay test, a core partner who finishes the first two weeks
 * and then stalls: product training and the product assessment are both due on
 * day 30, so both are reminded on day 27.
 *
 *   npx tsx test/replay/recordRemindersDueTogether.ts            # core-reminders-due-together-<playbook version>.json
 *   npx tsx test/replay/recordRemindersDueTogether.ts --suffix=NAME
 *
 * The recording without a suffix was made before the `bundled-reminders` patch
 * (two e-mails, two activities, in the same workflow task); it must keep
 * replaying as it ran. Re-record deliberately, only for a versioned change. On
 * the time-skipping server: a few seconds.
 */
import { driveJourney, sleepUntilDay, stateOf } from '../helpers/drive';
import { CORE_HAPPY_PATH, profileFor, withIds } from '../helpers/journeys';
import { startPartner } from '../helpers/runJourney';
import { uniq } from '../helpers/temporal';
import { recordOne } from './recordOne';

recordOne('core-reminders-due-together', async (env, taskQueue) => {
  const profile = profileFor('core', uniq('stalled'));
  const { handle, startedAt } = await startPartner(env, taskQueue, profile);
  // The happy path's first two weeks, then nothing more.
  await driveJourney(env, handle, startedAt, withIds(CORE_HAPPY_PATH.filter((step) => step.day <= 14), 'core', profile.partnerId));
  await sleepUntilDay(env, startedAt, 29);
  const reminders = (await stateOf(handle)).notifications.filter((n) => n.kind === 'milestone_reminder');
  return { handle, summary: `reminders:\n  ${reminders.map((n) => `${n.at} ${n.key}`).join('\n  ')}` };
}).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
