/**
 * The onboarding report at scale, and how fresh it is.
 *
 *   npx tsx bench/report-latency.ts [--sizes 10000,100000] [--live 20] [--events-per-partner 6] [--rate 1]
 *
 * On a dev server configured like `npm start`'s (SQLite file, WAL), partners are
 * started in steps up to each size WITHOUT a worker (they never run), each with
 * the search attributes (OnboardingReportAt included) and a realistic `report`
 * memo a running workflow would have published, generated from varied synthetic
 * summaries (seeded, so runs compare). For each size it prints:
 *   - visibility: `buildReport`, every memo listed from visibility per report
 *     (the path before the projection; the weekly digest still uses it);
 *   - cold, no snapshot: the API's projection (client/reports/projection.ts)
 *     started with an empty DATA_DIR: a full listing, then the first report;
 *   - warm: a report from the projection in memory (aggregation only, no cache);
 *   - cold, from the snapshot: a new projection on the same DATA_DIR: snapshot
 *     loaded, changes since caught up, first report;
 *   - with Debian's PostgreSQL installed (as `npm run cluster` uses it): the
 *     projection saved to PostgreSQL as an API with REPORT_PROJECTION_DATABASE_URL
 *     saves a full listing, then cold from PostgreSQL: a new projection with an
 *     empty DATA_DIR (a replaced API container) up to its first report.
 * Then freshness at the largest size: a worker (bench/worker-process.ts, the
 * product's) runs `--live` onboardings started like the API starts them; events
 * that change a partner's summary (milestones, indicators, opportunities) are
 * signalled at `--rate` per second, and for each the time from the signal to the
 * projection (syncing every 5 s, as in the API) holding the new summary is taken:
 * p50/p99 seconds from event to report. Prints figures; asserts nothing.
 */
import type { Client } from '@temporalio/client';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { buildReport } from '../client/reports';
import { ReportProjection } from '../client/reports/projection';
import { startPublishedPartner } from '../test/helpers/publishedPartner';
import { fileProjectionStore, pgProjectionStore } from '../client/reports/projectionStore';
import fs from 'node:fs';
import path from 'node:path';
import { Postgres, postgresBinDir } from '../workers/cluster/postgres';
import { startOnboarding } from '../client/onboardingClient';
import { DEFAULT_PLAYBOOK } from '../workflows/defaultPlaybook';
import { WORKFLOW_TYPE, onboardingWorkflowId, partnerEventSignal } from '../workflows/messages';
import { REPORT_SCHEMA_VERSION, type ReportSummary } from '../workflows/report';
import { LifecyclePhase, Phase, type Health, type PartnerEvent, type Segment } from '../workflows/types';
import { parseArgs } from 'node:util';
import { cpuSeconds, findPid, freePort, percentile, pool, ready, sleep, spawnTs, startBenchServer, stopChild, tempDir } from './support';
import { visibilityQuery } from '../client/visibility';
import { PAGE_SIZE } from '../client/reports/collect';
import v8 from 'node:v8';
import vm from 'node:vm';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    live: { type: 'string', default: '20' },
    'events-per-partner': { type: 'string', default: '6' },
    rate: { type: 'string', default: '1' },
  },
});
const SIZES = values.sizes.split(',').map(Number);
const LIVE = Number(values.live);
const EVENTS_PER_PARTNER = Number(values['events-per-partner']);
const RATE = Number(values.rate);

const DAY = 86_400_000;
const STARTS_IN_FLIGHT = 64;
const RUNS = 3;

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
  const t0 = Date.now();
  await pool(
    Array.from({ length: to - from }, (_, k) => from + k),
    STARTS_IN_FLIGHT,
    async (i) => {
      const partnerId = `bench-${i}`;
      const summary = syntheticSummary(random, nowMs);
      await startPublishedPartner(client, { partnerId, name: `Bench Partner ${i}`, summary, taskQueue: 'report-bench-no-worker', stampedAtMs: nowMs });
      if ((i + 1) % 5000 === 0) process.stderr.write(`  started ${i + 1} (${Math.round((i + 1 - from) / ((Date.now() - t0) / 1000))}/s)\n`);
    },
  );
}

async function waitForVisibility(client: Client, count: number): Promise<void> {
  const query = `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus != 'ContinuedAsNew'`;
  for (;;) {
    const { count: visible } = await client.workflowService.countWorkflowExecutions({ namespace: client.options.namespace, query });
    if (Number(visible) >= count) return;
    await sleep(500);
  }
}

/** Every onboarding listed from visibility, page by page, nothing decoded; returns the rows. */
async function listEverything(client: Client): Promise<number> {
  let rows = 0;
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({ namespace: client.options.namespace, query: visibilityQuery({}), pageSize: PAGE_SIZE, nextPageToken });
    rows += page.executions.length;
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return rows;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const value = await fn();
  return [value, Number(process.hrtime.bigint() - t) / 1e6];
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
function heapMB(): number {
  gc();
  return process.memoryUsage().heapUsed / 1048576;
}

/** Events that each change the summary of a core partner, in order. */
function changes(partnerId: string): PartnerEvent[] {
  const id = (n: string) => `${partnerId}-${n}`;
  return [
    { eventId: id('portal'), type: 'portal_access_granted' },
    { eventId: id('contacts'), type: 'contacts_designated', data: { contacts: [{ role: 'technical', name: 'Kim', email: 'kim@partner.example' }] } },
    { eventId: id('b101'), type: 'training_completed', data: { module: 'business_101' } },
    { eventId: id('opp'), type: 'opportunity_identified', data: { opportunityId: 'opp-1' } },
    { eventId: id('product'), type: 'training_completed', data: { module: 'product' } },
    { eventId: id('assessment'), type: 'assessment_completed', data: { assessment: 'product', score: 90 } },
    { eventId: id('registered'), type: 'opportunity_registered', data: { opportunityId: 'opp-1', amount: 1000 } },
    { eventId: id('survey'), type: 'survey_completed', data: { score: 8 } },
  ].slice(0, EVENTS_PER_PARTNER) as PartnerEvent[];
}

/** Seconds from each event's signal to the projection holding a new summary for that partner. */
async function freshness(client: Client, address: string, projection: ReportProjection): Promise<number[]> {
  const taskQueue = 'report-bench-live';
  const worker = spawnTs('bench/worker-process.js', {
    env: { BENCH_VARIANT: 'project', TEMPORAL_ADDRESS: address, TEMPORAL_TASK_QUEUE: taskQueue, DATA_DIR: tempDir('bench-report-live') },
  });
  try {
    await ready(worker, 'live worker');
    const ids = Array.from({ length: LIVE }, (_, i) => `live-${i}`);
    await pool(ids, 8, async (partnerId) => {
      await startOnboarding(client, { taskQueue, playbook: DEFAULT_PLAYBOOK }, {
        partnerId,
        name: `Live ${partnerId}`,
        segment: 'core',
        role: 'sales',
        timezone: 'UTC',
        partnerManager: { name: 'Dana', email: 'dana@vendor.example' },
        contacts: [{ role: 'sales', name: 'Lee', email: 'lee@partner.example' }],
      });
    });
    // Let the starts settle and reach the projection.
    await sleep(15_000);
    const schedule = Array.from({ length: EVENTS_PER_PARTNER }, (_, n) => ids.map((p) => ({ partnerId: p, event: changes(p)[n]! }))).flat();
    process.stderr.write(`freshness: ${schedule.length} events at ${RATE}/s to ${LIVE} live partners...\n`);
    const started = Date.now();
    const latencies = await Promise.all(
      schedule.map(async ({ partnerId, event }, n) => {
        await sleep(Math.max(0, started + (n * 1000) / RATE - Date.now()));
        // Events of one partner are 1/RATE * LIVE s apart: the previous one has long been applied.
        const before = JSON.stringify(projection.row(partnerId)?.summary ?? null);
        const t0 = Date.now();
        await client.workflow.getHandle(onboardingWorkflowId(partnerId)).signal(partnerEventSignal, event);
        for (;;) {
          if (JSON.stringify(projection.row(partnerId)?.summary ?? null) !== before) return (Date.now() - t0) / 1000;
          if (Date.now() - t0 > 180_000) return Infinity;
          await sleep(100);
        }
      }),
    );
    return latencies;
  } finally {
    await stopChild(worker);
  }
}

/** Debian's PostgreSQL in a directory of its own, or null when it is not installed. */
async function startPostgres(): Promise<{ url: string; stop(): Promise<void> } | null> {
  try {
    postgresBinDir();
  } catch {
    process.stderr.write('PostgreSQL not installed (apt-get install postgresql): the PostgreSQL rows are skipped\n');
    return null;
  }
  const dir = tempDir('bench-report-pg');
  fs.chmodSync(dir, 0o755); // PostgreSQL's own user must reach its data directory when run as root
  const postgres = new Postgres({ dir: path.join(dir, 'pg'), port: await freePort(), logFile: path.join(dir, 'pg.log') });
  await postgres.init(() => undefined);
  await postgres.start();
  await postgres.ensureDatabase('onboarding');
  return { url: postgres.url('onboarding'), stop: () => postgres.stop() };
}

async function main(): Promise<void> {
  const postgres = await startPostgres();
  const server = await startBenchServer();
  const connection = await Connection.connect({ address: server.address });
  const client = new TemporalClient({ connection });
  const nowMs = Date.now();
  const rows: Record<string, string | number>[] = [];
  let fresh: number[] = [];
  try {
    let started = 0;
    for (const [index, size] of SIZES.entries()) {
      process.stderr.write(`starting partners ${started + 1}..${size} (no worker)...\n`);
      const t0 = Date.now();
      await startPartners(client, started, size, nowMs);
      const startsPerSecond = Math.round((size - started) / ((Date.now() - t0) / 1000));
      started = size;
      await waitForVisibility(client, size);

      process.stderr.write(`  visibility: buildReport x${RUNS}...\n`);
      const visibilityMs: number[] = [];
      for (let i = 0; i < RUNS; i++) visibilityMs.push((await timed(() => buildReport(client, {}, Date.now())))[1]);

      // What visibility itself costs: every row listed, nothing decoded; the server's CPU meanwhile.
      process.stderr.write('  visibility: listing only...\n');
      const serverPid = findPid(server.dbFile) ?? -1;
      const serverCpu0 = cpuSeconds(serverPid);
      const [listed, listingMs] = await timed(() => listEverything(client));
      const serverCpuMsPerRow = ((cpuSeconds(serverPid) - serverCpu0) * 1000) / listed;

      const dataDir = tempDir('bench-report-projection');
      const heapBefore = heapMB();
      process.stderr.write('  projection: cold, no snapshot...\n');
      const cold = new ReportProjection(client, { dataDir, cacheTtlMs: 0, syncIntervalMs: 5_000 });
      const [coldReport, coldMs] = await timed(() => cold.start().report({}));
      const heapPerPartnerKB = ((heapMB() - heapBefore) * 1024) / cold.size;
      const warmMs: number[] = [];
      for (let i = 0; i < RUNS * 2; i++) warmMs.push((await timed(() => cold.report({}, Date.now())))[1]);
      const filteredMs = (await timed(() => cold.report({ segment: 'core', manager: 'manager-7@vendor.example' }, Date.now())))[1];
      const last = index === SIZES.length - 1;
      if (last) fresh = await freshness(client, server.address, cold);
      await cold.stop(); // writes the snapshot

      process.stderr.write('  projection: cold, from the snapshot...\n');
      const restarted = new ReportProjection(client, { dataDir, cacheTtlMs: 0 });
      const [snapshotReport, snapshotMs] = await timed(() => restarted.start().report({}));
      const caughtUp = restarted.last;
      await restarted.stop();

      // REPORT_PROJECTION_DATABASE_URL: what an API saves after a full listing, then a replaced API with an empty DATA_DIR.
      let pgSaveMs: number | string = '-';
      let pgColdMs: number | string = '-';
      if (postgres) {
        process.stderr.write('  projection: saved to PostgreSQL, then cold from PostgreSQL with an empty DATA_DIR...\n');
        const stored = (await fileProjectionStore(dataDir).load())!;
        const store = pgProjectionStore({ url: postgres.url, namespace: `bench-${size}` });
        pgSaveMs = Math.round((await timed(() => store.save(stored, { full: true, upserted: new Set(), deleted: new Set() }, false)))[1]);
        await store.close();
        const replaced = new ReportProjection(client, { store: pgProjectionStore({ url: postgres.url, namespace: `bench-${size}` }), cacheTtlMs: 0 });
        const [fromPg, ms] = await timed(() => replaced.start().report({}));
        pgColdMs = Math.round(ms);
        if (fromPg.partners !== snapshotReport.partners || replaced.last?.kind !== 'changes') {
          throw new Error(`cold from PostgreSQL: ${fromPg.partners} partners by a ${replaced.last?.kind} sync, expected ${snapshotReport.partners} from the table`);
        }
        await replaced.stop();
      }

      rows.push({
        partners: size,
        'starts/s': startsPerSecond,
        reported: coldReport.partners,
        'visibility p50 ms': Math.round(percentile(visibilityMs, 50)),
        'listing only ms': Math.round(listingMs),
        'server CPU ms/row': serverCpuMsPerRow.toFixed(3),
        'cold, no snapshot ms': Math.round(coldMs),
        'warm p50 ms': Math.round(percentile(warmMs, 50)),
        'warm max ms': Math.round(Math.max(...warmMs)),
        'warm filtered ms': Math.round(filteredMs),
        'cold, snapshot ms': Math.round(snapshotMs),
        'catch-up rows': caughtUp?.rows ?? '-',
        'PostgreSQL save ms': pgSaveMs,
        'cold, PostgreSQL ms': pgColdMs,
        'API heap KB/partner': heapPerPartnerKB.toFixed(2),
      });
    }
  } finally {
    await connection.close();
    await server.stop();
    await postgres?.stop();
  }
  console.table(rows);
  console.log('visibility: every memo listed from visibility per report (pages of 1,000); listing only: the same pages, nothing decoded, and the server CPU per row listed;');
  console.log('warm: aggregation of the in-memory projection, uncached;');
  console.log('cold: a new projection (empty DATA_DIR, or its snapshot) up to its first report;');
  console.log('PostgreSQL: a full listing saved to the table (REPORT_PROJECTION_DATABASE_URL), and a new projection with an empty DATA_DIR started from it');
  const finite = fresh.filter(Number.isFinite);
  console.log(
    `\nfreshness at ${SIZES[SIZES.length - 1]} partners: ${fresh.length} events to ${LIVE} live partners at ${RATE}/s, projection synced every 5 s; ` +
      `seconds from event to report: p50 ${percentile(finite, 50).toFixed(1)}, p99 ${percentile(finite, 99).toFixed(1)}, max ${Math.max(...finite).toFixed(1)}` +
      (finite.length < fresh.length ? `; ${fresh.length - finite.length} not seen within 180 s` : ''),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
