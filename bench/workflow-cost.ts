/**
 * Cost of one partner: runs each segment's full happy path on the time-skipping
 * server and prints history events, billable Temporal actions by kind, and the
 * time to replay the recorded histories. Partners start as the API starts them
 * (`onboardingStart`: the start memo and search attributes with them).
 *
 *   npx tsx bench/workflow-cost.ts [core|strategic|transactional|core-digest ...]
 *
 * `core-digest` is the core path for a manager with `digest: true` (one digest
 * across partners: the partner pings nobody and publishes its digest entry).
 * With core, the core path again, signed at 28 moments of the week (4 hours of
 * each weekday, UTC): partner e-mails wait for business hours, so the count
 * depends on when the contract is signed; the table and its worst case follow.
 * Then the manager digest itself: one hourly `managerDigests` run on the dev
 * server for a manager with 30 partners, and what that makes a day.
 * Without arguments: core, strategic, transactional and core-digest.
 *
 * Billable actions, as Temporal Cloud's Actions page lists them
 * (docs.temporal.io/cloud/actions): each run's start (a continue-as-new starts a
 * run), each signal, each timer started, each activity scheduled, each
 * UpsertSearchAttributes command, except those that only set
 * `TemporalChangeVersion` (the marker `patched()` writes, exempt), each Update,
 * each signal sent to another workflow. Memo upserts (`WorkflowPropertiesModified`)
 * are not on that list; they are counted apart, and `conservative` adds them and
 * the exempt upserts back. Registrations that name an account also cost their
 * account registry's start (the first time anyone registers it) and one Update:
 * counted apart, as `registryBillable`. Queries are billed too but leave no
 * history; the list and report endpoints read visibility instead of querying
 * workflows.
 *
 * Replay: every history of a segment through one replay worker
 * (Worker.runReplayHistories), five times; the time per history is printed.
 */
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { DEFAULT_PLAYBOOK } from '../workflows/defaultPlaybook';
import { createDevEnv, createTestWorker, createTimeSkippingEnv, uniq, workflowBundle } from '../test/helpers/temporal';
import { profileFor } from '../test/helpers/journeys';
import { runHappyPath } from '../test/helpers/runJourney';
import { accountWorkflowId } from '../workflows/accounts/messages';
import { WORKFLOW_TYPE, onboardingWorkflowId } from '../workflows/messages';
import { managerDigests } from '../workflows/managerDigests';
import type { Segment } from '../workflows/types';

const T = temporal.api.enums.v1.EventType;
type Event = temporal.api.history.v1.IHistoryEvent;

/** An upsert that only writes the patch marker's TemporalChangeVersion (exempt from billing). */
function versionMarkerOnly(e: Event): boolean {
  const fields = Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
  return fields.length > 0 && fields.every((f) => f === 'TemporalChangeVersion');
}

/** Billed (a continue-as-new is billed as the new run's start, counted under `start`). */
const KINDS: Record<string, (e: Event) => boolean> = {
  start: (e) => e.eventType === T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
  signals: (e) => e.eventType === T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
  timers: (e) => e.eventType === T.EVENT_TYPE_TIMER_STARTED,
  activities: (e) => e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
  upserts: (e) => e.eventType === T.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES && !versionMarkerOnly(e),
  updates: (e) => e.eventType === T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
  signalsOut: (e) => e.eventType === T.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
};
const UNBILLED: Record<string, (e: Event) => boolean> = {
  versionMarkers: (e) => e.eventType === T.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES && versionMarkerOnly(e),
  memoUpserts: (e) => e.eventType === T.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
};

const count = (events: Event[], kinds: Record<string, (e: Event) => boolean>) =>
  Object.fromEntries(Object.entries(kinds).map(([kind, is]) => [kind, events.filter(is).length]));
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

async function main(): Promise<void> {
  const segments = process.argv.slice(2).length ? process.argv.slice(2) : ['core', 'strategic', 'transactional', 'core-digest'];
  const env = await createTimeSkippingEnv();
  const rows: Record<string, string | number>[] = [];
  let sweep: Awaited<ReturnType<typeof bySigningMoment>> | undefined;
  try {
    const bundle = await workflowBundle();
    for (const segment of segments) {
      process.stderr.write(`running the ${segment} happy path...\n`);
      const digest = segment === 'core-digest';
      const overrides = digest ? { partnerManager: { name: 'Dana Ruiz', email: 'dana@vendor.example', slackUserId: 'U0DANA', digest: true } } : {};
      const run = await runHappyPath(env, (digest ? 'core' : segment) as Segment, 130, undefined, overrides);
      const events = run.runs.flatMap((h) => h.events);
      const billed = count(events, KINDS);
      const unbilled = count(events, UNBILLED);
      const billable = sum(billed);
      // The account registries its registrations reached (each one's start and Updates are billed there).
      const keys = [...new Set(run.state.opportunities.map((o) => o.accountKey).filter((k): k is string => k !== undefined))];
      const registryEvents = (await Promise.all(keys.map((key) => env.client.workflow.getHandle(accountWorkflowId(key)).fetchHistory()))).flatMap((h) => h.events ?? []);
      const registryBillable = sum(count(registryEvents, KINDS));
      const replays = 5;
      const histories = Array.from({ length: replays }, () => run.runs.map((history, i) => ({ workflowId: `${segment}-${i}`, history }))).flat();
      const t0 = process.hrtime.bigint();
      for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: `${segment}-replay` }, histories)) {
        if (result.error) throw result.error;
      }
      const replayMs = Number(process.hrtime.bigint() - t0) / 1e6 / histories.length;
      rows.push({
        segment,
        phase: run.state.phase,
        runs: run.runs.length,
        historyEvents: events.length,
        billable,
        ...billed,
        ...unbilled,
        conservative: billable + unbilled.versionMarkers! + unbilled.memoUpserts!,
        registries: keys.length,
        registryBillable,
        totalBillable: billable + registryBillable,
        'replay ms/history': replayMs.toFixed(1),
      });
    }
    if (segments.includes('core')) sweep = await bySigningMoment(env);
  } finally {
    await env.teardown();
  }
  console.table(rows);
  console.log('billable: Temporal Cloud Actions (memo upserts and TemporalChangeVersion-only upserts are not Actions); conservative: counting them too');
  console.log('registryBillable: the account registries its registrations reached (start + Update each)');
  console.log('targets for the core happy path: <= 80 billable actions, < 400 history events; replay: one worker, every history, 5 times');
  if (sweep) {
    console.log('\nthe core happy path by the moment the contract is signed (UTC; the partner is in UTC): billable actions in the workflow (timers started)');
    console.table(sweep.table);
    console.log(`min ${sweep.min}, max ${sweep.max} (signed ${sweep.worst}): partner e-mails wait for business hours, and each wait is a timer`);
  }
  if (!process.argv.slice(2).length || process.argv.includes('core-digest')) await managerDigestCost();
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const SIGNING_HOURS = [0, 6, 12, 18];

/**
 * The core happy path signed at each weekday and hour of SIGNING_HOURS (UTC): what it
 * costs depends on when it starts, because partner e-mails wait for business hours.
 * The time-skipping server's clock only moves forward: each run skips to the next
 * such moment after the previous run's end.
 */
async function bySigningMoment(env: Awaited<ReturnType<typeof createTimeSkippingEnv>>): Promise<{ table: Record<string, Record<string, string>>; min: number; max: number; worst: string }> {
  process.stderr.write(`running the core happy path signed at ${WEEKDAYS.length * SIGNING_HOURS.length} moments of the week...\n`);
  const table: Record<string, Record<string, string>> = {};
  let min = Infinity;
  let max = -Infinity;
  let worst = '';
  for (const [i, day] of WEEKDAYS.entries()) {
    for (const hour of SIGNING_HOURS) {
      const now = await env.currentTimeMs();
      let at = Math.floor(now / 86_400_000) * 86_400_000 + hour * 3_600_000;
      while (at <= now || (new Date(at).getUTCDay() + 6) % 7 !== i) at += 86_400_000;
      await env.sleep(at - now);
      const events = (await runHappyPath(env, 'core')).runs.flatMap((h) => h.events);
      const billable = sum(count(events, KINDS));
      (table[day] ??= {})[`${String(hour).padStart(2, '0')}:00`] = `${billable} (${count(events, { timers: KINDS.timers! }).timers})`;
      min = Math.min(min, billable);
      if (billable > max) [max, worst] = [billable, `${day} ${String(hour).padStart(2, '0')}:00`];
    }
  }
  return { table, min, max, worst };
}

/** One hourly managerDigests run for a manager with 30 digest partners, on the dev server (visibility). */
async function managerDigestCost(): Promise<void> {
  process.stderr.write('measuring the manager digest: 30 partners of one manager on the dev server...\n');
  const env = await createDevEnv();
  const taskQueue = uniq('digest-bench');
  try {
    const worker = await createTestWorker(env, taskQueue);
    await worker.runUntil(async () => {
      const manager = { name: 'Dana Ruiz', email: 'dana@vendor.example', slackUserId: 'U0DANA', digest: true, timezone: 'UTC' };
      const signed = new Date(Date.now() - 31 * 24 * 3600_000).toISOString();
      for (let i = 0; i < 30; i++) {
        const profile = profileFor('core', uniq('p'), { partnerManager: manager, contractSignedAt: signed });
        await env.client.workflow.start(WORKFLOW_TYPE, {
          taskQueue,
          workflowId: onboardingWorkflowId(profile.partnerId),
          args: [profile, { playbook: DEFAULT_PLAYBOOK }],
        });
      }
      await new Promise((r) => setTimeout(r, 3000)); // the partners publish their entries
      const now = new Date();
      const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 8)).toISOString();
      const handle = await env.client.workflow.start(managerDigests, { taskQueue, workflowId: uniq('manager-digests'), args: [{ localHour: 8, at }] });
      const outcomes = await handle.result();
      const events = (await handle.fetchHistory()).events ?? [];
      const perRun = sum(count(events, { start: KINDS.start!, activities: KINDS.activities!, timers: KINDS.timers!, signals: KINDS.signals! }));
      console.table([
        {
          digestsSent: outcomes.filter((o) => o.status === 'sent').length,
          partners: outcomes.reduce((n, o) => n + o.partners, 0),
          billablePerRun: perRun,
          runsPerDay: 24,
          billablePerDay: perRun * 24,
          perPartnerPerDay: 0,
        },
      ]);
      console.log('the manager digest: one schedule start and one activity per hour, whatever the partners and managers');
    });
  } finally {
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
