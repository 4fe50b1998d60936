/**
 * Cost of a playbook migration: N running core, strategic and transactional
 * partners (contracts signed 1 to 58 days ago) on the CLI's in-memory dev
 * server with the production worker; a new version published; the dry run
 * (previewMigration queries) and the migration (migratePlaybook Updates), a page
 * of 50 at a time, as `onboarding migrate` drives them. Prints, for each: wall
 * time, Temporal requests, and the history events and billable actions it added
 * by kind. Asserts nothing.
 *
 *   npx tsx bench/migration-cost.ts [partners=200]
 *
 * Billable actions (Temporal Cloud): queries and Updates (leave no billed
 * history of their own for queries), plus what the workflow does in reply: memo
 * and search-attribute upserts, activities scheduled (notifications now due),
 * timers started (the next wake-up moved).
 */
import { temporal } from '@temporalio/proto';
import type { MigrationPage } from '../client/apiTypes';
import { OnboardingClient } from '../client/onboardingClient';
import { publishCurrentPlaybook } from '../client/playbooks';
import { DEFAULT_PLAYBOOK } from '../workflows/defaultPlaybook';
import { onboardingWorkflowId } from '../workflows/messages';
import { parsePlaybook, type Playbook } from '../workflows/playbook';
import type { Segment } from '../workflows/types';
import { createDevEnv, createTestWorker, uniq } from '../test/helpers/temporal';

const DAY = 86_400_000;
const T = temporal.api.enums.v1.EventType;
const KINDS: Record<string, number[]> = {
  updates: [T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED],
  memoUpserts: [T.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED],
  saUpserts: [T.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES],
  activities: [T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED],
  timers: [T.EVENT_TYPE_TIMER_STARTED],
};

function target(): Playbook {
  const pb = structuredClone(DEFAULT_PLAYBOOK);
  pb.version = 'bench-v2';
  const core = pb.segments.core;
  core.phaseDays = { foundation: 25, activation: 35, momentum: 30 };
  for (const m of core.milestones) if (m.phase === 'foundation' && m.dueDay > 25) m.dueDay = 25;
  core.milestones.push({
    id: 'security_training',
    title: 'Security training',
    phase: 'foundation',
    owner: 'partner',
    dueDay: 20,
    requiredAtCheckpoint: true,
    completion: { kind: 'event', events: ['training_completed'], match: { module: 'security' } },
  });
  pb.segments.strategic.milestones.find((m) => m.id === 'co_selling_training')!.dueDay = 50;
  const parsed = parsePlaybook(pb);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  return parsed.value;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 200);
  const env = await createDevEnv();
  const taskQueue = uniq('bench-migration');
  const worker = await createTestWorker(env, taskQueue);
  const running = worker.run();
  try {
    const client = new OnboardingClient(env.client, { taskQueue, playbook: DEFAULT_PLAYBOOK });
    await publishCurrentPlaybook(env.client, { taskQueue }, DEFAULT_PLAYBOOK);
    const days = [1, 4, 9, 13, 20, 24, 27, 31, 33, 45, 58];
    const ids: string[] = [];
    process.stderr.write(`starting ${n} partners...\n`);
    for (let i = 0; i < n; i++) {
      const segment: Segment = i % 5 === 0 ? 'strategic' : i % 7 === 0 ? 'transactional' : 'core';
      const partnerId = `bench-${i}`;
      await client.start({
        partnerId,
        name: `Bench ${i}`,
        segment,
        role: segment === 'strategic' ? 'strategic' : 'sales',
        contractSignedAt: new Date(Date.now() - days[i % days.length]! * DAY + 30 * 60_000).toISOString(),
        partnerManager: { name: 'Dana Ruiz', email: 'dana@vendor.example' },
        contacts: [{ role: 'sales', name: 'Lee', email: 'lee@partner.example' }],
      });
      ids.push(partnerId);
    }
    // Every partner has run its first workflow task and delivered what was due at start.
    for (const id of ids) await client.state(id);
    await new Promise((r) => setTimeout(r, 3000));
    await client.publishPlaybook(target());

    const histories = async () => {
      const all = await Promise.all(ids.map((id) => env.client.workflow.getHandle(onboardingWorkflowId(id)).fetchHistory()));
      return all.map((h) => h.events ?? []);
    };
    const run = async (dryRun: boolean) => {
      const before = await histories();
      const t0 = performance.now();
      const results: MigrationPage['partners'] = [];
      const actions = { queries: 0, updates: 0 };
      let pageToken: string | undefined;
      do {
        const page = await client.migrate({ version: 'bench-v2', dryRun, pageSize: 50, ...(pageToken ? { pageToken } : {}) });
        results.push(...page.partners);
        actions.queries += page.temporalActions.queries;
        actions.updates += page.temporalActions.updates;
        pageToken = page.nextPageToken ?? undefined;
      } while (pageToken);
      const ms = performance.now() - t0;
      // The partners' own wake-ups may add a little while this runs (deliveries after the Update).
      await new Promise((r) => setTimeout(r, 2000));
      const after = await histories();
      const added = after.flatMap((events, i) => events.slice(before[i]!.length));
      const byKind = Object.fromEntries(Object.entries(KINDS).map(([k, types]) => [k, added.filter((e) => types.includes(e.eventType ?? 0)).length]));
      const outcomes = results.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.outcome]: (acc[r.outcome] ?? 0) + 1 }), {});
      const billable = actions.queries + Object.values(byKind).reduce((a, b) => a + b, 0);
      return {
        step: dryRun ? 'dry run' : 'migration',
        partners: results.length,
        outcomes: JSON.stringify(outcomes),
        ms: Math.round(ms),
        msPerPartner: (ms / results.length).toFixed(1),
        queries: actions.queries,
        historyEvents: added.length,
        ...byKind,
        billable,
        billablePerPartner: (billable / results.length).toFixed(2),
      };
    };
    const rows = [await run(true), await run(false), await run(false)];
    rows[2]!.step = 'again (no-op)';
    console.table(rows);
  } finally {
    worker.shutdown();
    await running;
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
