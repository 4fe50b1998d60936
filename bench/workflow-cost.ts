/**
 * Cost of one partner: runs each segment's full happy path on the time-skipping
 * server and prints history events, billable Temporal actions by kind, and the
 * time to replay the recorded history.
 *
 *   npx tsx bench/workflow-cost.ts [core|strategic|transactional ...]
 *
 * Billable actions (Temporal Cloud): each run's start (a continue-as-new starts a
 * run), each signal, each timer started, each activity scheduled, each
 * search-attribute or memo upsert, each Update, each signal sent to another workflow.
 * Registrations that name an account also cost their account registry's start (the
 * first time anyone registers it) and one Update: counted apart, as `registryBillable`.
 * Queries are billed too but leave no history; the
 * list and report endpoints read visibility instead of querying workflows.
 */
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { createTimeSkippingEnv, workflowBundle } from '../test/helpers/temporal';
import { runHappyPath } from '../test/helpers/runJourney';
import { accountWorkflowId } from '../workflows/accounts/messages';
import type { Segment } from '../workflows/types';

const T = temporal.api.enums.v1.EventType;
const BILLABLE: Record<string, number[]> = {
  start: [T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED],
  signals: [T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED],
  timers: [T.EVENT_TYPE_TIMER_STARTED],
  activities: [T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED],
  upserts: [T.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES],
  memoUpserts: [T.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED],
  continueAsNew: [T.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW],
  updates: [T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED],
  signalsOut: [T.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED],
};

type Events = temporal.api.history.v1.IHistoryEvent[];
const countBillable = (events: Events) => {
  const counts = Object.fromEntries(
    Object.entries(BILLABLE).map(([kind, types]) => [kind, events.filter((e) => types.includes(e.eventType ?? 0)).length]),
  );
  // A continue-as-new is billed as the new run's start, counted under `start`.
  return { counts, billable: Object.entries(counts).reduce((sum, [kind, n]) => (kind === 'continueAsNew' ? sum : sum + n), 0) };
};

async function main(): Promise<void> {
  const segments = (process.argv.slice(2).length ? process.argv.slice(2) : ['core', 'strategic', 'transactional']) as Segment[];
  const env = await createTimeSkippingEnv();
  const rows: Record<string, string | number>[] = [];
  try {
    const bundle = await workflowBundle();
    for (const segment of segments) {
      process.stderr.write(`running the ${segment} happy path...\n`);
      const run = await runHappyPath(env, segment);
      const events = run.runs.flatMap((h) => h.events);
      const { counts, billable } = countBillable(events);
      // The account registries its registrations reached (each one's start and Updates are billed there).
      const keys = [...new Set(run.state.opportunities.map((o) => o.accountKey).filter((k): k is string => k !== undefined))];
      const registryEvents = (await Promise.all(keys.map((key) => env.client.workflow.getHandle(accountWorkflowId(key)).fetchHistory()))).flatMap((h) => h.events ?? []);
      const registries = countBillable(registryEvents);
      const t0 = process.hrtime.bigint();
      const replays = 5;
      for (let i = 0; i < replays; i++) {
        for (const history of run.runs) await Worker.runReplayHistory({ workflowBundle: bundle, replayName: `${segment}-${i}` }, history);
      }
      const replayMs = Number(process.hrtime.bigint() - t0) / 1e6 / replays;
      rows.push({
        segment,
        phase: run.state.phase,
        day: run.state.day,
        runs: run.runs.length,
        historyEvents: events.length,
        billable,
        ...counts,
        registries: keys.length,
        registryBillable: registries.billable,
        totalBillable: billable + registries.billable,
        replayMs: replayMs.toFixed(1),
      });
    }
  } finally {
    await env.teardown();
  }
  console.table(rows);
  console.log('targets for the core happy path: <= 80 billable actions, < 400 history events');
  console.log('billable: the partner workflow; registryBillable: the account registries its registrations reached (start + Update each)');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
