/**
 * Prometheus metrics: the API's GET /metrics counts requests by route template
 * and status, and events accepted and rejected; a real `npm run worker` process
 * with METRICS_PORT exports the SDK's metrics and our notification counter.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startOnboarding } from '../../client/onboardingClient';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { freePort } from '../activities/fixtures/smtpServer';
import { KEYS, call, profile, startHarness, type Harness } from '../api/harness';
import { DIGEST_SCHEDULE_ID } from '../../workers/digestSchedule';
import { uniq } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

/** The value of one sample line, e.g. `name{a="b",c="d"} 3`; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

it('the API counts requests by route template and status, and events accepted and rejected', async () => {
  const p = profile();
  expect((await call(h.api, 'POST', '/v1/partners', { key: KEYS.ops, body: p })).status).toBe(201);
  const events = `/v1/partners/${p.partnerId}/events`;
  const batch = [
    { eventId: 'e1', type: 'kickoff_completed' },
    { eventId: 'e2', type: 'profile_completed' },
  ];
  expect((await call(h.api, 'POST', events, { key: KEYS.system, body: batch })).status).toBe(202);
  expect((await call(h.api, 'POST', events, { key: KEYS.system, body: { eventId: 'bad', type: 'no_such_type' } })).status).toBe(400);
  expect((await call(h.api, 'POST', `/v1/partners/${uniq('nobody')}/events`, { key: KEYS.system, body: batch })).status).toBe(404);
  expect((await call(h.api, 'GET', `/v1/partners/${p.partnerId}`, { key: KEYS.manager })).status).toBe(200);
  expect((await call(h.api, 'GET', '/no/such/route')).status).toBe(404);

  const text = await scrape(`${h.api.url}/metrics`);
  const events202 = { method: 'POST', route: '/v1/partners/:partnerId/events', status: '202' };
  expect(sample(text, 'onboarding_api_http_requests_total', events202)).toBe(1);
  expect(sample(text, 'onboarding_api_http_requests_total', { ...events202, status: '400' })).toBe(1);
  expect(sample(text, 'onboarding_api_http_requests_total', { ...events202, status: '404' })).toBe(1);
  expect(sample(text, 'onboarding_api_http_requests_total', { method: 'GET', route: '/v1/partners/:partnerId', status: '200' })).toBe(1);
  expect(sample(text, 'onboarding_api_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
  expect(sample(text, 'onboarding_api_http_request_duration_seconds_count', events202)).toBe(1);
  expect(sample(text, 'onboarding_api_events_total', { outcome: 'accepted' })).toBe(2);
  expect(sample(text, 'onboarding_api_events_total', { outcome: 'rejected' })).toBe(3);
  // Route templates only: no partner id ever becomes a label.
  expect(text).not.toContain(p.partnerId);

  const openapi = (await call<{ paths: Record<string, { get?: { responses: Record<string, { content: object }> } }> }>(h.api, 'GET', '/openapi.json')).body;
  expect(Object.keys(openapi.paths['/metrics']!.get!.responses['200']!.content)).toEqual(['text/plain; version=0.0.4; charset=utf-8']);
});

it('a worker with METRICS_PORT exports the SDK metrics and the notification counter', async () => {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onboarding-metrics-'));
  const taskQueue = uniq('metrics');
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['workers/worker.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: h.env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATA_DIR: dataDir,
      METRICS_PORT: String(port),
      SLACK_ESCALATION_CHANNEL: 'C0ESCALATION',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    // Signed 45 days ago: the workflow escalates at once (team Slack messages wait for no business hours).
    const contractSignedAt = new Date(Date.now() - 45 * 86_400_000).toISOString();
    await startOnboarding(h.env.client, { taskQueue, playbook: DEFAULT_PLAYBOOK }, profile({ contractSignedAt }));

    const atRisk = { kind: 'at_risk', channel: 'slack', status: 'sent', taskQueue };
    const deadline = Date.now() + 60_000;
    let text = '';
    while (sample(text, 'onboarding_notifications_total', atRisk) < 1) {
      if (Date.now() > deadline) throw new Error(`no at_risk notification counted; worker stderr: ${stderr}\n${text}`);
      await new Promise((r) => setTimeout(r, 500));
      text = await scrape(`http://127.0.0.1:${port}/metrics`).catch(() => '');
    }
    expect(sample(text, 'onboarding_notifications_total', atRisk)).toBe(1);
    expect(sample(text, 'onboarding_notifications_total', { ...atRisk, activityType: 'deliverNotification', namespace: 'default' })).toBe(1);
    expect(text).toMatch(/^temporal_workflow_task_execution_latency_count\{.*\} \d+/m);
    // At start the worker wrote the weekly digest schedule, for its task queue.
    const schedule = await h.env.client.schedule.getHandle(DIGEST_SCHEDULE_ID).describe();
    expect(schedule.action).toMatchObject({ workflowType: 'weeklyDigest', taskQueue });
    expect(text).toMatch(/^temporal_activity_execution_latency_count\{.*activity_type="deliverNotification".*\} \d+/m);
  } finally {
    child.kill('SIGINT');
    await exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  expect(stderr).not.toMatch(/"level":"error"/);
});
