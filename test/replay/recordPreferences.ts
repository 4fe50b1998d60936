/**
 * Records, for the replay test, the histories notification preferences add:
 *
 * - `recipient-preferences-v1.json`: a recipientPreferences workflow started by
 *   its first change (update-with-start), then two more changes and one the
 *   workflow refuses;
 * - `core-deferred-nudge-v1.json`: a partner whose manager's quiet hours defer a
 *   Slack nudge, requested again and delivered when they end.
 *
 * On the dev server, in real time (quiet hours are on the worker's clock): it
 * takes about a minute. Re-record deliberately, only for a versioned change:
 *
 *   npx tsx test/replay/recordPreferences.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { PreferencesStore, recipientId } from '../../client/preferences';
import { parseConfig } from '../../config/env';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { WORKFLOW_TYPE, onboardingStateQuery, onboardingWorkflowId } from '../../workflows/messages';
import { preferencesWorkflowId } from '../../workflows/preferenceMessages';
import { createDevEnv, createTestWorker, tempDataDir, uniq } from '../helpers/temporal';

const DIR = path.join(__dirname, 'histories');

async function main(): Promise<void> {
  const env = await createDevEnv();
  const taskQueue = uniq('record-preferences');
  const worker = await createTestWorker(env, taskQueue, parseConfig({ DATA_DIR: tempDataDir(), SLACK_ESCALATION_CHANNEL: 'C0ESCALATE' }));
  try {
    await worker.runUntil(async () => {
      const store = new PreferencesStore(env.client, taskQueue);
      const manager = 'dana@vendor.example';
      const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
      const end = Math.ceil((Date.now() + 20_000) / 60_000) * 60_000;
      await store.change(recipientId(manager), { quietHours: { start: hhmm(Date.now() - 3_600_000), end: hhmm(end), timezone: 'UTC' }, by: 'recorder' });
      await store.change(recipientId(manager), { mutedKinds: ['survey_request'] });
      await store.change(recipientId(manager), { mutedChannels: ['email'] });
      await store.change(recipientId(manager), { mutedKinds: ['no_such_kind' as never] }).catch(() => undefined);

      const partnerId = uniq('deferred');
      const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: onboardingWorkflowId(partnerId),
        args: [
          {
            partnerId,
            name: 'Northwind Systems',
            segment: 'core',
            role: 'sales',
            contractSignedAt: new Date().toISOString(),
            partnerManager: { name: 'Dana Ruiz', email: manager, slackUserId: 'U0DANA' },
            contacts: [{ role: 'sales', name: 'Lee Park', email: 'lee.park@northwind.example' }],
          },
          { playbook: DEFAULT_PLAYBOOK },
        ],
      });
      const key = 'vendor_milestone_due:portal_access:d2:manager';
      for (;;) {
        const state = await handle.query(onboardingStateQuery);
        if (state.notifications.some((n) => n.key === key && n.status === 'sent')) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      await handle.terminate('recorded');

      const save = async (workflowId: string, file: string) => {
        const history = temporal.api.history.v1.History.create(await env.client.workflow.getHandle(workflowId).fetchHistory());
        fs.writeFileSync(path.join(DIR, file), historyToJSON(history) + '\n');
        console.log(`${file}: ${history.events.length} events`);
      };
      await save(preferencesWorkflowId(recipientId(manager)), 'recipient-preferences-v1.json');
      await save(handle.workflowId, 'core-deferred-nudge-v1.json');
      await env.client.workflow.getHandle(preferencesWorkflowId(recipientId(manager))).terminate('recorded');
    });
  } finally {
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
