/**
 * The onboarding report on the real dev server, from visibility only: the
 * cohort of test/helpers/reportCohort.ts runs as real workflows with a real
 * worker and activities, and every indicator matches the figures computed by
 * hand. The events are queued before the worker starts, so each workflow's
 * first task applies them all and publishes its report summary there.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivitiesFromConfig } from '../../activities';
import { createReportActivities } from '../../activities/reports';
import { programDigestReader } from '../../client/reports/digest';
import { createApiServer } from '../../client/api';
import type { OnboardingReport } from '../../client/apiTypes';
import { OnboardingClient } from '../../client/onboardingClient';
import { buildReport, createReportsProvider } from '../../client/reports';
import { milestoneTitles } from '../../client/reports/digest';
import { ReportProjection } from '../../client/reports/projection';
import { SA_REPORT_AT } from '../../workflows/messages';
import { REPORT_STAMP_WINDOW_MS } from '../../workflows/report';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { parseConfig } from '../../config/env';
import { createOnboardingWorker } from '../../workers/createWorker';
import { accountActivitiesFor } from '../../client/accounts';
import { eventually } from '../api/harness';
import { COHORT, DAY_MS, EXPECTED, cohortEvents, cohortProfile, expectCohortReport, matchesCohortReport } from '../helpers/reportCohort';
import { createDevEnv, uniq, workflowBundle } from '../helpers/temporal';
import { ReportWarmingUpError } from '../../client/errors';
import type { Client } from '@temporalio/client';

const ROOT = path.resolve(__dirname, '../..');
const run = uniq('cohort');
const manager = `${run}@vendor.example`;
const partnerId = (key: string) => `${run}-${key}`;

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let dataDir: string;
let nowMs: number;

beforeAll(async () => {
  env = await createDevEnv();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onboarding-reports-'));
  const taskQueue = uniq('reports');
  const onboarding = new OnboardingClient(env.client, { taskQueue, playbook: DEFAULT_PLAYBOOK });
  nowMs = Date.now();
  for (const partner of COHORT) {
    await onboarding.start(cohortProfile(partner, partnerId(partner.key), manager, nowMs));
    await onboarding.sendEvents(partnerId(partner.key), cohortEvents(partner, nowMs));
  }
  worker = await createOnboardingWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities: createActivitiesFromConfig(parseConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error', SLACK_ESCALATION_CHANNEL: 'C0ESC' }), DEFAULT_PLAYBOOK.program),
    reportActivities: createReportActivities({ readDigest: programDigestReader(env.client, DEFAULT_PLAYBOOK) }),
    accountActivities: accountActivitiesFor(env.client, taskQueue, DEFAULT_PLAYBOOK),
    workflowBundle: await workflowBundle(),
    shutdownGraceTime: '1 second',
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/**
 * Visibility is eventually consistent, and a partner is in the report from its
 * start memo on, before its first workflow task publishes what its events did:
 * poll until the report shows the whole cohort's figures. (Waiting for the
 * graduated and offboarded partners only let a slower partner's start summary
 * through: one run saw seven portal-access times of eight.) After 30 s the
 * caller's assertions show what differs. Once: later tests send the cohort
 * more events, so its figures change after the first of them.
 */
let settled: Promise<OnboardingReport> | undefined;
function settledReport(): Promise<OnboardingReport> {
  settled ??= eventually(() => buildReport(env.client, { manager }, Date.now()), (r) => matchesCohortReport(r, partnerId), 30_000);
  return settled;
}

it('computes every indicator and the top bottleneck of the cohort from visibility', async () => {
  const report = await settledReport();
  expectCohortReport(report, partnerId);
  expect(report).toMatchObject({ unprojected: 0, filter: { manager }, source: { pages: 1 } });
  expect(report.source.memoBytes / report.partners).toBeLessThan(1024);
});

it('filters by the month the contract was signed and by segment', async () => {
  await settledReport();
  const month = new Date(nowMs - 10 * DAY_MS).toISOString().slice(0, 7);
  expect(await buildReport(env.client, { manager, startMonth: month }, Date.now())).toMatchObject({ partners: 1, byPhase: { activation: 1 } });
  expect(await buildReport(env.client, { manager, segment: 'core' }, Date.now())).toMatchObject({ partners: 0 });
});

describe('over HTTP and the CLI', () => {
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const config = parseConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error' });
    const app = await createApiServer({
      client: env.client,
      config,
      playbook: DEFAULT_PLAYBOOK,
      reports: createReportsProvider(env.client, { titleOf: milestoneTitles(DEFAULT_PLAYBOOK) }),
      logger: { level: 'silent' },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    close = () => app.close();
  });
  afterAll(() => close?.());

  it('serves GET /v1/reports/onboarding, and 400 for invalid filters', async () => {
    await settledReport();
    const res = await fetch(`${url}/v1/reports/onboarding?manager=${encodeURIComponent(manager)}`);
    expect(res.status).toBe(200);
    const report = (await res.json()) as OnboardingReport;
    expectCohortReport(report, partnerId);
    // Stalls are named by the playbook's titles, as a manager knows the milestones.
    expect(report.topBottleneck).toMatchObject({ milestoneId: 'first_deal_or_pipeline', title: 'First deal won or qualified pipeline' });
    expect(report.funnel[0]!.stalls[0]).toEqual({ milestoneId: 'business_101_training', title: 'Business 101 training', partners: 4 });

    const bad = await fetch(`${url}/v1/reports/onboarding?startMonth=2026-13&segment=gold`);
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { fields: { field: string }[] };
    expect(body.fields.map((f) => f.field).sort()).toEqual(['segment', 'startMonth']);
  });

  function cli(args: string[]): Promise<{ code: number; stdout: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [path.join(ROOT, 'bin/onboarding.js'), 'report', '--manager', manager, ...args],
        { cwd: ROOT, env: { ...process.env, ONBOARDING_API_URL: url }, timeout: 30_000 },
        (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
      );
    });
  }

  it('prints the report as a table, as CSV and as JSON', async () => {
    await settledReport();
    const [table, csv, json] = await Promise.all([cli([]), cli(['--csv']), cli(['--json'])]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('First deal won or qualified pipeline [first_deal_or_pipeline] (momentum): 6 partner(s)');
    expect(table.stdout).toMatch(/leading\s+timeToPortalAccessHours\s+25\s+hours\s+< 48\s+yes\s+8\s+79\.2\s+0\.75/);
    expect(table.stdout).toContain(partnerId('p7'));
    expect(csv.stdout.split('\n')).toContain('lagging,completionRate,0.429,ratio,> 0.8,false,7,,');
    expect(JSON.parse(json.stdout)).toMatchObject({ partners: 8, topBottleneck: EXPECTED.topBottleneck });
  });
});

describe("the API's projection (incremental, saved under DATA_DIR)", () => {
  let projectionDir: string;
  beforeAll(() => {
    projectionDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onboarding-projection-'));
  });
  afterAll(() => fs.rmSync(projectionDir, { recursive: true, force: true }));

  const projected = (projection: ReportProjection, key: string) => projection.row(partnerId(key))?.summary;
  let p4RequiredDone = -1;

  it('gives the same report as the full listing, then picks up a change by its OnboardingReportAt stamp', async () => {
    await settledReport();
    const projection = new ReportProjection(env.client, { dataDir: projectionDir, syncIntervalMs: 60_000 }).start();
    try {
      expectCohortReport(await projection.report({ manager }), partnerId);
      expect(projection.last).toMatchObject({ kind: 'full' });
      const before = projected(projection, 'p3')!;
      expect(before.indicators.training).toBeNull();
      p4RequiredDone = projected(projection, 'p4')!.required.done;

      // A bare event (no phase or health change): the summary and its stamp go out in the same workflow task.
      const sentAt = Date.now();
      await new OnboardingClient(env.client, { taskQueue: 'unused', playbook: DEFAULT_PLAYBOOK }).sendEvents(partnerId('p3'), [
        { eventId: `${run}-p3-b101`, type: 'training_completed', data: { module: 'business_101' } },
      ]);
      const after = await eventually(
        async () => (await projection.sync(), projected(projection, 'p3')!),
        (s) => s.indicators.training !== null,
        30_000,
      );
      expect(projection.last).toMatchObject({ kind: 'changes' });
      expect(after.required.done).toBe(before.required.done + 1);
      const described = await env.client.workflow.getHandle(`onboarding-${partnerId('p3')}`).describe();
      expect((described.memo?.report as typeof after).indicators.training).toBe(after.indicators.training);
      // Stamped within the stamp window of the change (a burst of changes shares one stamp).
      expect(described.typedSearchAttributes.get(SA_REPORT_AT)!.getTime()).toBeGreaterThanOrEqual(sentAt - REPORT_STAMP_WINDOW_MS - 1000);
    } finally {
      await projection.stop();
    }
    expect(fs.existsSync(path.join(projectionDir, 'report-projection.json'))).toBe(true);
  });

  it('starts from its snapshot and catches up on what changed while it was down', async () => {
    await new OnboardingClient(env.client, { taskQueue: 'unused', playbook: DEFAULT_PLAYBOOK }).sendEvents(partnerId('p4'), [
      { eventId: `${run}-p4-opp`, type: 'opportunity_registered', data: { opportunityId: 'opp-9' } },
    ]);
    const restarted = new ReportProjection(env.client, { dataDir: projectionDir, syncIntervalMs: 60_000 }).start();
    try {
      await restarted.ready();
      expect(restarted.last).toMatchObject({ kind: 'changes' }); // from the snapshot, not a full listing
      expect(restarted.size).toBeGreaterThanOrEqual(COHORT.length);
      const p4 = await eventually(
        async () => (await restarted.sync(), projected(restarted, 'p4')!),
        (s) => s.required.done > p4RequiredDone,
        30_000,
      );
      expect(p4.required.done).toBe(p4RequiredDone + 1); // first_opportunity_registered
      expect(p4.opps.registered).toBe(1);
      expect(projected(restarted, 'p3')!.indicators.training).not.toBeNull(); // kept from the snapshot
    } finally {
      await restarted.stop();
    }
  });
});

describe('a report asked for before the projection holds every partner', () => {
  /** The real client, with the listing slowed down or failing as told (a large namespace, an unreachable frontend). */
  function listingWith(before: (call: number) => Promise<void>): Client {
    let calls = 0;
    const service = new Proxy(env.client.workflowService, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== 'listWorkflowExecutions' || typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          await before((calls += 1));
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      },
    });
    return new Proxy(env.client, { get: (target, prop, receiver) => (prop === 'workflowService' ? service : Reflect.get(target, prop, receiver)) });
  }

  /** The cohort as a full listing from visibility reports it now (earlier tests sent it more events). */
  async function expectSameAsVisibility(report: OnboardingReport): Promise<void> {
    const truth = await buildReport(env.client, { manager }, Date.now());
    expect(report.partners).toBe(COHORT.length);
    expect({ byPhase: report.byPhase, byHealth: report.byHealth, funnel: report.funnel }).toEqual({ byPhase: truth.byPhase, byHealth: truth.byHealth, funnel: truth.funnel });
  }

  it('answers "warming up" with how far the first listing is, instead of holding the request, then the report', async () => {
    await settledReport();
    const slow = listingWith(() => new Promise((r) => setTimeout(r, 1_500)));
    const projection = new ReportProjection(slow, { firstReportWaitMs: 200, syncIntervalMs: 60_000 }).start();
    try {
      const early = await projection.report({ manager }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(early).toBeInstanceOf(ReportWarmingUpError);
      expect((early as Error).message).toMatch(/^the report is being built: \d+ partners listed from Temporal so far; try again in a few seconds$/);
      await projection.ready();
      await expectSameAsVisibility(await projection.report({ manager }));
    } finally {
      await projection.stop();
    }
  });

  it('recovers when its first listing failed: the next sync makes the report whole (it used to fail until a restart)', async () => {
    await settledReport();
    const unavailable = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
    const flaky = listingWith(async (call) => {
      if (call === 1) throw unavailable;
    });
    const projection = new ReportProjection(flaky, { syncIntervalMs: 200 }).start();
    try {
      await expect(projection.report({ manager })).rejects.toBe(unavailable);
      const report = await eventually(
        () => projection.report({ manager }).catch(() => null),
        (r) => r !== null,
        20_000,
      );
      await expectSameAsVisibility(report!);
    } finally {
      await projection.stop();
    }
  });

  it('is a 503 with Retry-After over HTTP, naming how many partners are listed', async () => {
    const config = parseConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error' });
    const app = await createApiServer({
      client: env.client,
      config,
      playbook: DEFAULT_PLAYBOOK,
      reports: () => Promise.reject(new ReportWarmingUpError(35_000)),
      logger: { level: 'silent' },
    });
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const res = await fetch(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/v1/reports/onboarding`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toMatchObject({
        error: 'report_warming_up',
        message: 'the report is being built: 35,000 partners listed from Temporal so far; try again in a few seconds',
      });
    } finally {
      await app.close();
    }
  });
});
