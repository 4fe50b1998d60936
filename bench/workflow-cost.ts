/**
 * Cost of one partner: runs each segment's full happy path on the time-skipping
 * server and prints history events, billable Temporal actions by kind, and the
 * time to replay the recorded history.
 *
 *   npx tsx bench/workflow-cost.ts [core|strategic|transactional ...]
 *
 * Billable actions (Temporal Cloud): each run's start (a continue-as-new starts a
 * run), each signal, each timer started, each activity scheduled, each
 * search-attribute or memo upsert. Queries are billed too but leave no history; the
 * list and report endpoints read visibility instead of querying workflows.
 */
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { createTimeSkippingEnv, workflowBundle } from '../test/helpers/temporal';
import { runHappyPath } from '../test/helpers/runJourney';
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
      const counts = Object.fromEntries(
        Object.entries(BILLABLE).map(([kind, types]) => [kind, events.filter((e) => types.includes(e.eventType ?? 0)).length]),
      );
      // A continue-as-new is billed as the new run's start, counted under `start`.
      const billable = Object.entries(counts).reduce((sum, [kind, n]) => (kind === 'continueAsNew' ? sum : sum + n), 0);
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
        replayMs: replayMs.toFixed(1),
      });
    }
  } finally {
    await env.teardown();
  }
  console.table(rows);
  console.log('targets for the core happy path: < 80 billable actions, < 400 history events');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
