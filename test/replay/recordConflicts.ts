/**
 * Records a conflict between two partners into test/replay/histories/, for the
 * replay test: both partner workflows and the account registry, under a playbook
 * where a manager decides (the conflict opens, is decided, both sides hear).
 * Re-record deliberately, like record.ts:
 *
 *   npx tsx test/replay/recordConflicts.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { AccountsClient } from '../../client/accounts';
import { parseConfig } from '../../config/env';
import { accountWorkflowId } from '../../workflows/accounts/messages';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { WORKFLOW_TYPE, onboardingStateQuery, onboardingWorkflowId, partnerEventSignal } from '../../workflows/messages';
import type { Playbook } from '../../workflows/playbook';
import type { OnboardingState } from '../../workflows/types';
import { profileFor } from '../helpers/journeys';
import { createTestWorker, createTimeSkippingEnv, tempDataDir, uniq } from '../helpers/temporal';

const PLAYBOOK: Playbook = { ...DEFAULT_PLAYBOOK, accountConflicts: { rule: 'manager_decides' } };

async function main(): Promise<void> {
  const env = await createTimeSkippingEnv();
  const taskQueue = uniq('conflicts');
  // Slack messages go to files in a temp DATA_DIR, the escalation channel's too.
  const config = parseConfig({ DATA_DIR: tempDataDir(), SLACK_ESCALATION_CHANNEL: 'C0ESCALATE', TEMPORAL_TASK_QUEUE: taskQueue });
  const worker = await createTestWorker(env, taskQueue, config);
  try {
    await worker.runUntil(async () => {
      const domain = 'initech.example';
      const [holder, challenger] = await Promise.all(
        ['contoso', 'northwind'].map(async (name) => {
          const profile = profileFor('core', uniq(name), { experienced: true });
          return env.client.workflow.start(WORKFLOW_TYPE, {
            taskQueue,
            workflowId: onboardingWorkflowId(profile.partnerId),
            args: [{ ...profile, contractSignedAt: new Date(await env.currentTimeMs()).toISOString() }, { playbook: PLAYBOOK }],
          });
        }),
      );
      const register = (h: typeof holder, opportunityId: string) =>
        h.signal(partnerEventSignal, { eventId: opportunityId, type: 'opportunity_registered', data: { opportunityId, account: 'Initech, Inc.', domain, amount: 40_000 } });
      const settled = async (h: typeof holder, test: (s: OnboardingState) => boolean) => {
        for (let i = 0; i < 100; i++) {
          if (test(await h.query(onboardingStateQuery))) return;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error('the conflict did not settle');
      };
      await register(holder, 'c-1');
      await settled(holder, (s) => s.opportunities[0]?.accountCheck === 'held');
      await register(challenger, 'n-1');
      await settled(challenger, (s) => s.conflicts.length === 1);
      const accounts = new AccountsClient(env.client, { taskQueue, rule: 'manager_decides' });
      const { conflictId } = (await accounts.state(domain)).conflicts[0]!;
      await accounts.decide(domain, { conflictId, winner: challenger.workflowId.replace(/^onboarding-/, ''), by: 'pat@vendor.example' });
      await settled(holder, (s) => s.conflicts[0]?.status === 'resolved');
      await settled(challenger, (s) => s.conflicts[0]?.status === 'resolved');
      // Both managers heard the decision (and the challenger's contact its acceptance) before the histories are saved.
      const told = (s: OnboardingState) => s.notifications.some((n) => n.key.startsWith('account_conflict_resolved:') && n.key.endsWith(':manager'));
      await settled(holder, told);
      await settled(challenger, (s) => told(s) && s.notifications.some((n) => n.key.startsWith('registration_conflict_resolved:')));
      const save = async (name: string, workflowId: string) => {
        const history = temporal.api.history.v1.History.create(await env.client.workflow.getHandle(workflowId).fetchHistory());
        const file = path.join(__dirname, 'histories', `${name}-${DEFAULT_PLAYBOOK.version}.json`);
        fs.writeFileSync(file, historyToJSON(history) + '\n');
        console.log(`${file}: ${history.events.length} events`);
      };
      await save('conflict-holder', holder.workflowId);
      await save('conflict-challenger', challenger.workflowId);
      await save('conflict-account-registry', accountWorkflowId(domain));
      for (const id of [holder.workflowId, challenger.workflowId, accountWorkflowId(domain)]) await env.client.workflow.getHandle(id).terminate('recorded');
    });
  } finally {
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
