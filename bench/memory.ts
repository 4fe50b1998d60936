/**
 * Worker memory per cached workflow: the product's partnerOnboarding against the
 * floor, an empty signal-counting workflow (bench/baseline/workflows.ts), on one
 * dev server in one run. Each variant runs in a worker process of its own
 * (bench/worker-process.ts) with the same WORKER_MAX_CACHED_WORKFLOWS; the
 * benchmark starts workflows in steps, keeps them all cached, and after full GCs
 * reads the worker's RSS and the V8 heap of its workflow thread. The slope over the steps is the cost of
 * one more cached workflow.
 *
 *   npx tsx bench/memory.ts [--steps 0,250,500,1000] [--events 5] [--cache 3000] [--snapshots 40,120]
 *
 * Each product workflow is started like the API starts it (the playbook pinned,
 * the report memo) and gets `--events` events of a first onboarding week; each
 * baseline workflow gets as many signals with the same payloads. With
 * `--snapshots a,b`, the product worker also writes heap snapshots at a and b
 * workflows (a separate, smaller run) and the difference is broken down per
 * workflow by object kind (bench/heap-diff.ts). Prints figures; asserts nothing.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startOnboarding } from '../client/onboardingClient';
import { DEFAULT_PLAYBOOK } from '../workflows/defaultPlaybook';
import { onboardingWorkflowId, partnerEventSignal } from '../workflows/messages';
import type { PartnerEvent, PartnerProfile } from '../workflows/types';
import { BASELINE_WORKFLOW_TYPE } from './baseline/workflows';
import { heapDiff, printHeapDiff } from './heap-diff';
import {
  ask,
  linearFit,
  pool,
  ratio,
  ready,
  sleep,
  spawnTs,
  startBenchServer,
  stopChild,
  tempDir,
} from './support';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '0,250,500,1000' },
    events: { type: 'string', default: '5' },
    cache: { type: 'string', default: '3000' },
    snapshots: { type: 'string' },
    variants: { type: 'string', default: 'baseline,project' },
  },
});
const STEPS = values.steps.split(',').map(Number);
const EVENTS = Number(values.events);
const CACHE = Number(values.cache);
const IN_FLIGHT = 32;

type Variant = 'baseline' | 'project';
interface Measure {
  cached: number;
  activations: number;
  activities: number;
  memory: NodeJS.MemoryUsage;
  /** The workflow thread's V8 heap after full GCs (measure only). */
  workflowHeapUsed?: number;
}

/** The first week of a core partner, as systems would send it. */
function firstWeek(partnerId: string): PartnerEvent[] {
  const all: PartnerEvent[] = [
    { eventId: `${partnerId}-kickoff`, type: 'kickoff_completed' },
    { eventId: `${partnerId}-portal`, type: 'portal_access_granted', data: { systems: ['portal', 'training'] } },
    { eventId: `${partnerId}-profile`, type: 'profile_completed' },
    {
      eventId: `${partnerId}-contacts`,
      type: 'contacts_designated',
      data: { contacts: [{ role: 'technical', name: 'Kim Lee', email: 'kim@partner.example' }] },
    },
    { eventId: `${partnerId}-agreements`, type: 'agreements_signed', data: { agreements: ['nda'] } },
    { eventId: `${partnerId}-b101`, type: 'training_completed', data: { module: 'business_101' } },
    { eventId: `${partnerId}-opp`, type: 'opportunity_identified', data: { opportunityId: 'opp-1', account: 'Globex' } },
  ];
  return all.slice(0, EVENTS);
}

function profile(partnerId: string): PartnerProfile {
  return {
    partnerId,
    name: `Memory Bench ${partnerId}`,
    segment: 'core',
    role: 'sales',
    timezone: 'Europe/Berlin',
    partnerManager: { name: 'Dana Ruiz', email: 'dana@vendor.example', slackUserId: 'U0DANA' },
    contacts: [{ role: 'sales', name: 'Lee Park', email: 'lee@partner.example' }],
  };
}

async function startWorkflows(client: Client, variant: Variant, taskQueue: string, from: number, to: number): Promise<void> {
  const ids = Array.from({ length: to - from }, (_, i) => `mem-${taskQueue}-${from + i}`);
  await pool(ids, IN_FLIGHT, async (partnerId) => {
    const workflowId = onboardingWorkflowId(partnerId);
    if (variant === 'project') {
      await startOnboarding(client, { taskQueue, playbook: DEFAULT_PLAYBOOK }, profile(partnerId));
    } else {
      await client.workflow.start(BASELINE_WORKFLOW_TYPE, { taskQueue, workflowId, args: [] });
    }
    const handle = client.workflow.getHandle(workflowId);
    for (const event of firstWeek(partnerId)) await handle.signal(partnerEventSignal, event);
  });
}

/** Waits until the worker holds `expected` workflows and has had nothing to do for a while. */
async function settle(child: ReturnType<typeof spawnTs>, expected: number): Promise<Measure> {
  let quiet = 0;
  const deadline = Date.now() + 600_000;
  for (;;) {
    const s = await ask<Measure>(child, { cmd: 'status' });
    quiet = s.cached >= expected && s.activations === 0 && s.activities === 0 ? quiet + 1 : 0;
    if (quiet >= 4) return s;
    if (Date.now() > deadline) throw new Error(`worker did not settle: ${JSON.stringify(s)} (expected ${expected} cached)`);
    await sleep(500);
  }
}

async function runVariant(
  client: Client,
  address: string,
  variant: Variant,
  steps: number[],
  snapshotDir?: string,
): Promise<{ n: number; rssKB: number; heapKB: number; snapshot?: string }[]> {
  const taskQueue = `mem-${variant}-${Math.random().toString(36).slice(2, 8)}`;
  const child = spawnTs('bench/worker-process.js', {
    nodeArgs: ['--expose-gc'],
    env: {
      BENCH_VARIANT: variant,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATA_DIR: tempDir('bench-memory-data'),
      WORKER_MAX_CACHED_WORKFLOWS: String(CACHE),
      LOG_LEVEL: 'warn',
    },
  });
  const rows: { n: number; rssKB: number; heapKB: number; snapshot?: string }[] = [];
  try {
    await ready(child, `${variant} worker`);
    let started = 0;
    for (const n of steps) {
      if (n > CACHE) throw new Error(`step ${n} exceeds the cache (${CACHE}): raise --cache`);
      process.stderr.write(`  ${variant}: ${n} workflows...\n`);
      await startWorkflows(client, variant, taskQueue, started, n);
      started = n;
      await settle(child, n);
      const m = await ask<Measure>(child, { cmd: 'measure' });
      if (m.cached < n) throw new Error(`${variant}: only ${m.cached} of ${n} workflows cached`);
      const row: { n: number; rssKB: number; heapKB: number; snapshot?: string } = {
        n,
        rssKB: Math.round(m.memory.rss / 1024),
        heapKB: Math.round((m.workflowHeapUsed ?? 0) / 1024),
      };
      if (snapshotDir) {
        row.snapshot = (await ask<{ path: string }>(child, { cmd: 'snapshot', path: path.join(snapshotDir, `${variant}-${n}.heapsnapshot`) })).path;
      }
      rows.push(row);
    }
  } finally {
    await stopChild(child);
  }
  return rows;
}

async function main(): Promise<void> {
  const server = await startBenchServer();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const variants = values.variants.split(',') as Variant[];
  try {
    const results: Record<string, { kbPerWorkflow: number; heapKbPerWorkflow: number; rows: { n: number; rssKB: number; heapKB: number }[] }> = {};
    for (const variant of variants) {
      const rows = await runVariant(client, server.address, variant, STEPS);
      results[variant] = {
        rows,
        kbPerWorkflow: linearFit(rows.map((r) => ({ x: r.n, y: r.rssKB }))).slope,
        heapKbPerWorkflow: linearFit(rows.map((r) => ({ x: r.n, y: r.heapKB }))).slope,
      };
    }
    console.log(`\nworker memory by cached workflows (WORKER_MAX_CACHED_WORKFLOWS=${CACHE}, ${EVENTS} events each; after full GCs)`);
    console.table(
      Object.entries(results).flatMap(([variant, r]) => r.rows.map((row) => ({ variant, workflows: row.n, rssMB: (row.rssKB / 1024).toFixed(1), workflowHeapMB: (row.heapKB / 1024).toFixed(1) }))),
    );
    const floor = results.baseline;
    console.table(
      Object.fromEntries(
        Object.entries(results).map(([variant, r]) => [
          variant,
          {
            'RSS KB per workflow': Math.round(r.kbPerWorkflow),
            'workflow heap KB per workflow': Math.round(r.heapKbPerWorkflow),
            'RSS vs floor': floor ? ratio(r.kbPerWorkflow, floor.kbPerWorkflow) : '-',
            'workflow heap vs floor': floor ? ratio(r.heapKbPerWorkflow, floor.heapKbPerWorkflow) : '-',
          },
        ]),
      ),
    );
    if (values.snapshots) {
      const [a, b] = values.snapshots.split(',').map(Number) as [number, number];
      const dir = tempDir('bench-heap');
      process.stderr.write(`heap snapshots at ${a} and ${b} product workflows, in ${dir}...\n`);
      const rows = await runVariant(client, server.address, 'project', [a, b], dir);
      printHeapDiff(heapDiff(rows[0]!.snapshot!, rows[1]!.snapshot!), b - a);
    }
  } finally {
    await connection.close();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
