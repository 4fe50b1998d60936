/**
 * The report's projection kept in PostgreSQL (REPORT_PROJECTION_DATABASE_URL),
 * on a real PostgreSQL and a real dev server: an API replaced with an empty
 * DATA_DIR starts from the table and catches up on what changed, instead of
 * listing every partner from visibility; the table follows full listings,
 * keeps namespaces apart, and never lets an older read overwrite a newer one.
 *
 * The partners are started without a worker, each with the report summary the
 * pure domain computes for its profile and events, as a running workflow
 * publishes it.
 */
import pg from 'pg';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ReportProjection } from '../../client/reports/projection';
import { pgProjectionStore, type StoredRow } from '../../client/reports/projectionStore';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { applyEvent, initState, reportSummary } from '../../workflows/domain';
import { WORKFLOW_TYPE, onboardingWorkflowId } from '../../workflows/messages';
import type { PartnerEvent } from '../../workflows/types';
import type { Postgres } from '../../workers/cluster/postgres';
import { freePort } from '../../workers/cluster/process';
import { startPublishedPartner } from '../helpers/publishedPartner';
import { createDevEnv, uniq } from '../helpers/temporal';
import { clusterTempDir, cutDuringFirstUse, describeWith, startTestPostgres } from './support';

describeWith({}, 'the report projection kept in PostgreSQL', () => {
  let postgres: Postgres;
  let url: string;
  let temp: ReturnType<typeof clusterTempDir>;
  let env: TestWorkflowEnvironment;
  const run = uniq('projection');
  const manager = `${run}@vendor.example`;
  const logs: string[] = [];

  /** A partner as its workflow would publish it: the domain's summary after `events`, stamped now. */
  async function startPartner(key: string, events: PartnerEvent[]): Promise<void> {
    const partnerId = `${run}-${key}`;
    const nowMs = Date.now();
    let state = initState(
      {
        partnerId,
        name: `Partner ${key}`,
        segment: 'core',
        role: 'sales',
        timezone: 'UTC',
        partnerManager: { name: 'Dana Ruiz', email: manager, slackUserId: 'U0DANA' },
        contacts: [{ role: 'sales', name: 'Lee Park', email: `lee@${key}.example` }],
      },
      DEFAULT_PLAYBOOK,
      nowMs,
    );
    for (const event of events) state = applyEvent(state, event, nowMs);
    await startPublishedPartner(env.client, { partnerId, name: `Partner ${key}`, summary: reportSummary(state, nowMs), taskQueue: `${run}-no-worker`, stampedAtMs: nowMs });
  }

  /** Until visibility lists `count` onboardings (it lags the starts by a moment, more under load). */
  async function visible(count: number): Promise<void> {
    const query = `WorkflowType = '${WORKFLOW_TYPE}'`;
    for (let i = 0; i < 100; i += 1) {
      const { count: listed } = await env.client.workflowService.countWorkflowExecutions({ namespace: 'default', query });
      if (Number(listed) >= count) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`visibility did not list ${count} onboardings within 20 s`);
  }

  const projectionOn = (namespace = 'default') =>
    new ReportProjection(env.client, {
      store: pgProjectionStore({ url, namespace }),
      syncIntervalMs: 60_000,
      cacheTtlMs: 0,
      log: (message) => logs.push(message),
    }).start();

  async function table<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<R>(sql, values)).rows;
    } finally {
      await client.end();
    }
  }

  const portal: PartnerEvent = { eventId: 'portal', type: 'portal_access_granted', data: { systems: ['portal', 'training', 'deal_registration'] } };
  const b101: PartnerEvent = { eventId: 'b101', type: 'training_completed', data: { module: 'business_101' } };

  beforeAll(async () => {
    temp = clusterTempDir('onboarding-projection-');
    postgres = await startTestPostgres(temp.dir);
    url = postgres.url('onboarding');
    env = await createDevEnv();
    for (let i = 0; i < 12; i += 1) await startPartner(`p${i}`, i % 2 ? [portal] : [portal, b101]);
    await visible(12);
  }, 180_000);

  afterAll(async () => {
    await env?.teardown();
    await postgres?.stop();
    temp?.remove();
  });

  test('a first API lists every partner once and leaves the projection in the table', async () => {
    const projection = projectionOn();
    try {
      const report = await projection.report({ manager });
      expect(projection.last).toMatchObject({ kind: 'full' });
      expect(report.partners).toBe(12);
      expect(report.leading.timeToFirstTrainingDays.n).toBe(6);
    } finally {
      await projection.stop();
    }
    const rows = await table<{ workflow_id: string; summary: string }>(
      `SELECT workflow_id, summary FROM onboarding_report_projection WHERE namespace = 'default' AND workflow_id LIKE $1`,
      [`onboarding-${run}-%`],
    );
    expect(rows).toHaveLength(12);
    expect(JSON.parse(rows.find((r) => r.workflow_id === onboardingWorkflowId(`${run}-p0`))!.summary)).toMatchObject({ manager, segment: 'core' });
    const [state] = await table<{ synced_to_ms: string }>(`SELECT synced_to_ms FROM onboarding_report_projection_state WHERE namespace = 'default'`);
    expect(Number(state!.synced_to_ms)).toBeGreaterThan(Date.now() - 120_000);
  });

  test('a replaced API with an empty DATA_DIR starts from the table and reads only what changed meanwhile', async () => {
    await startPartner('late', [portal, b101]);
    await visible(13);
    const projection = projectionOn();
    try {
      const report = await projection.report({ manager });
      // From the table and a catch-up listing, not a full listing of every partner.
      expect(projection.last).toMatchObject({ kind: 'changes' });
      expect(logs).toContain('report projection: loaded');
      expect(report.partners).toBe(13);
      expect(projection.row(`${run}-late`)?.summary.indicators.training).not.toBeNull();
    } finally {
      await projection.stop();
    }
    const rows = await table(`SELECT 1 FROM onboarding_report_projection WHERE namespace = 'default' AND workflow_id = $1`, [onboardingWorkflowId(`${run}-late`)]);
    expect(rows).toHaveLength(1);
  });

  test('another namespace has a projection of its own', async () => {
    const projection = projectionOn('staging');
    try {
      await projection.ready();
      expect(projection.last).toMatchObject({ kind: 'full' });
    } finally {
      await projection.stop();
    }
    const [counts] = await table<{ staging: string; production: string }>(
      `SELECT count(*) FILTER (WHERE namespace = 'staging') AS staging, count(*) FILTER (WHERE namespace = 'default') AS production FROM onboarding_report_projection`,
    );
    expect(Number(counts!.staging)).toBe(13);
    expect(Number(counts!.production)).toBe(13);
  });

  test('a full listing drops the rows visibility no longer holds', async () => {
    const store = pgProjectionStore({ url, namespace: 'default' });
    const stored = (await store.load())!;
    const ghost: StoredRow = { ...[...stored.rows.values()][0]!, partnerId: 'ghost', readAtMs: stored.syncedToMs };
    stored.rows.set('onboarding-ghost', ghost);
    await store.save(stored, { full: false, upserted: new Set(['onboarding-ghost']), deleted: new Set() }, false);
    await store.close();
    expect(await table(`SELECT 1 FROM onboarding_report_projection WHERE workflow_id = 'onboarding-ghost'`)).toHaveLength(1);

    const projection = new ReportProjection(env.client, { store: pgProjectionStore({ url, namespace: 'default' }), fullScanIntervalMs: 0, syncIntervalMs: 60_000 }).start();
    try {
      await projection.ready();
      expect(projection.last).toMatchObject({ kind: 'full' });
      expect(projection.row('ghost')).toBeUndefined();
    } finally {
      await projection.stop();
    }
    expect(await table(`SELECT 1 FROM onboarding_report_projection WHERE workflow_id = 'onboarding-ghost'`)).toHaveLength(0);
    expect(await table(`SELECT 1 FROM onboarding_report_projection WHERE namespace = 'default' AND workflow_id LIKE $1`, [`onboarding-${run}-%`])).toHaveLength(13);
  });

  test('of two replicas, an older read never overwrites a newer one, and the sync point only moves forward', async () => {
    const [a, b] = [pgProjectionStore({ url, namespace: 'replicas' }), pgProjectionStore({ url, namespace: 'replicas' })];
    try {
      const summary = reportSummary(initState({ partnerId: 'r1', name: 'R1', segment: 'core', role: 'sales', timezone: 'UTC', partnerManager: { name: 'M', email: manager } }, DEFAULT_PLAYBOOK, 0), 0);
      const row = (health: 'on_track' | 'at_risk', readAtMs: number): StoredRow => ({ partnerId: 'r1', name: 'R1', summary: { ...summary, health }, bytes: 500, readAtMs });
      const one = { full: false, upserted: new Set(['onboarding-r1']), deleted: new Set<string>() };
      await b.save({ syncedToMs: 2_000, fullScanAtMs: 0, rows: new Map([['onboarding-r1', row('at_risk', 2_000)]]) }, one, false);
      // A slower replica commits its older read afterwards.
      await a.save({ syncedToMs: 1_000, fullScanAtMs: 0, rows: new Map([['onboarding-r1', row('on_track', 1_000)]]) }, one, false);
      const loaded = (await a.load())!;
      expect(loaded.syncedToMs).toBe(2_000);
      expect(loaded.rows.get('onboarding-r1')).toMatchObject({ readAtMs: 2_000, summary: { health: 'at_risk' } });
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('an unreachable database costs a full listing, never the report', async () => {
    const closed = `postgres://temporal:x@127.0.0.1:${await freePort()}/onboarding`;
    const seen: string[] = [];
    const projection = new ReportProjection(env.client, { store: pgProjectionStore({ url: closed, namespace: 'default' }), syncIntervalMs: 60_000, log: (m) => seen.push(m) }).start();
    try {
      expect((await projection.report({ manager })).partners).toBe(13);
      expect(projection.last).toMatchObject({ kind: 'full' });
      await projection.ready(); // the first sync is over once it tried to save, after the first report
      expect(seen).toEqual(expect.arrayContaining(['report projection: stored projection unreadable; listing every partner', 'report projection: saving failed; retrying at the next sync']));
    } finally {
      await projection.stop();
    }
  });

  test('a connection cut during its first use (the schema check) fails that call, not the API process', async () => {
    const { cut, code, out } = await cutDuringFirstUse(url, 'report-projection');
    expect(cut).toBe(1);
    expect(out).toMatch(/^attempt 1: failed: terminating connection due to administrator command$/m);
    expect(out).toMatch(/^attempt \d+: loaded/m);
    expect({ code, out }).toEqual({ code: 0, out: expect.any(String) });
  }, 90_000);
});
