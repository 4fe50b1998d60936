/**
 * Latency of the onboarding report at 1,000 and 10,000 partners: how long
 * `buildReport` (uncached) takes to page through visibility and aggregate.
 *
 *   npx tsx bench/report-latency.ts [1000 10000 ...]
 *
 * It measures the report path, not the workflow: the partners' workflows are
 * started WITHOUT a worker (they never run), each with the search attributes and
 * a realistic `report` memo that a running workflow would have published,
 * generated from varied synthetic summaries (seeded, so runs compare). The
 * server is the CLI's dev server with its in-memory SQLite store (no pragma
 * tuning). Prints figures; asserts nothing.
 */
import type { Client } from '@temporalio/client';
import { buildReport } from '../client/reports';
import { DEFAULT_PLAYBOOK } from '../workflows/defaultPlaybook';
import { createDevEnv } from '../test/helpers/temporal';
import { SA_HEALTH, SA_MANAGER, SA_PHASE, SA_SEGMENT, WORKFLOW_TYPE, onboardingWorkflowId } from '../workflows/messages';
import { REPORT_MEMO_KEY, REPORT_SCHEMA_VERSION, type ReportSummary } from '../workflows/report';
import { LifecyclePhase, Phase, type Health, type Segment } from '../workflows/types';

const DAY = 86_400_000;
const STARTS_IN_FLIGHT = 64;
const RUNS = 5;

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function syntheticSummary(random: () => number, nowMs: number): ReportSummary {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const maybe = (p: number, value: () => number) => (random() < p ? Math.round(value() * 10) / 10 : null);
  const segment: Segment = pick(['strategic', 'core', 'core', 'core', 'core', 'transactional'] as const);
  const plan = DEFAULT_PLAYBOOK.segments[segment];
  const daysIn = Math.floor(random() * 540);
  const phase = pick(LifecyclePhase.options);
  const late: ReportSummary['late'] = {};
  for (const p of Phase.options) {
    const ids = plan.milestones.filter((m) => m.phase === p && random() < 0.25).map((m) => m.id);
    if (ids.length) late[p] = ids.join(' ');
  }
  const registered = Math.floor(random() * 6);
  const won = Math.floor(random() * (registered + 1) * 0.5);
  const required = plan.milestones.filter((m) => m.requiredAtCheckpoint).length;
  return {
    v: REPORT_SCHEMA_VERSION,
    segment,
    manager: `manager-${Math.floor(random() * 40)}@vendor.example`,
    contractSignedAt: new Date(nowMs - daysIn * DAY).toISOString(),
    phase,
    health: pick<Health>(['on_track', 'on_track', 'behind', 'at_risk']),
    graduatedAt: phase === 'graduated' ? new Date(nowMs - random() * daysIn * DAY).toISOString() : null,
    offboardedAt: phase === 'offboarded' ? new Date(nowMs - random() * daysIn * DAY).toISOString() : null,
    planDays: Object.values(plan.phaseDays).reduce((a, b) => a + b, 0),
    indicators: {
      portal: maybe(0.95, () => 4 + random() * 120),
      training: maybe(0.85, () => 1 + random() * 30),
      registration: maybe(0.6, () => 10 + random() * 80),
      engagement: maybe(0.5, () => 15 + random() * 90),
      deal: won ? Math.round((30 + random() * 300) * 10) / 10 : null,
      certFirstPass: random() < 0.7 ? random() < 0.8 : null,
      satisfaction: random() < 0.4 ? Math.floor(5 + random() * 6) : null,
    },
    late,
    opps: {
      registered,
      qualified: Math.min(registered, won + Math.floor(random() * 2)),
      won,
      lost: Math.floor(random() * (registered - won + 1)),
      wonCycleDays: Math.round(won * (20 + random() * 60) * 10) / 10,
    },
    required: { done: Math.floor(random() * (required + 1)), total: required },
  };
}

async function startPartners(client: Client, from: number, to: number, nowMs: number): Promise<void> {
  const random = prng(from + 1);
  let next = from;
  const t0 = Date.now();
  const startOne = async (i: number) => {
    const partnerId = `bench-${i}`;
    const summary = syntheticSummary(random, nowMs);
    await client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: 'report-bench-no-worker',
      workflowId: onboardingWorkflowId(partnerId),
      args: [],
      memo: { partnerId, name: `Bench Partner ${i}`, [REPORT_MEMO_KEY]: summary },
      typedSearchAttributes: [
        { key: SA_PHASE, value: summary.phase },
        { key: SA_SEGMENT, value: summary.segment },
        { key: SA_MANAGER, value: summary.manager },
        { key: SA_HEALTH, value: summary.health },
      ],
    });
  };
  await Promise.all(
    Array.from({ length: STARTS_IN_FLIGHT }, async () => {
      while (next < to) {
        const i = next++;
        await startOne(i);
        if ((i + 1) % 1000 === 0) process.stderr.write(`  started ${i + 1} (${Math.round((i + 1 - from) / ((Date.now() - t0) / 1000))}/s)\n`);
      }
    }),
  );
}

async function waitForVisibility(client: Client, count: number): Promise<number> {
  const t0 = Date.now();
  const query = `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus != 'ContinuedAsNew'`;
  for (;;) {
    const { count: visible } = await client.workflowService.countWorkflowExecutions({ namespace: client.options.namespace, query });
    if (Number(visible) >= count) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main(): Promise<void> {
  const sizes = (process.argv.slice(2).length ? process.argv.slice(2) : ['1000', '10000']).map(Number);
  const env = await createDevEnv();
  const nowMs = Date.now();
  const rows: Record<string, string | number>[] = [];
  try {
    let started = 0;
    for (const size of sizes) {
      process.stderr.write(`starting partners ${started + 1}..${size} (no worker)...\n`);
      const t0 = Date.now();
      await startPartners(env.client, started, size, nowMs);
      const startSeconds = (Date.now() - t0) / 1000;
      started = size;
      const visibleAfterMs = await waitForVisibility(env.client, size);
      const timings: number[] = [];
      let last;
      for (let i = 0; i < RUNS; i++) {
        const t = process.hrtime.bigint();
        last = await buildReport(env.client, {}, Date.now());
        timings.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      timings.sort((a, b) => a - b);
      rows.push({
        partners: size,
        startsPerSecond: Math.round((size - (rows.length ? sizes[rows.length - 1]! : 0)) / startSeconds),
        visibleAfterMs,
        reported: last!.partners,
        pages: last!.source.pages,
        memoKiB: Math.round(last!.source.memoBytes / 1024),
        bytesPerPartner: Math.round(last!.source.memoBytes / last!.partners),
        p50Ms: Math.round(timings[Math.floor(RUNS / 2)]!),
        maxMs: Math.round(timings[RUNS - 1]!),
      });
    }
  } finally {
    await env.teardown();
  }
  console.table(rows);
  console.log(`buildReport uncached, ${RUNS} runs per size; pages of up to 1,000 executions from ListWorkflowExecutions`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
