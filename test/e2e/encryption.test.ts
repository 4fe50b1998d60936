/**
 * Payload encryption on a real dev server, end to end: a partner started
 * through the API with PAYLOAD_ENCRYPTION_KEYS set leaves no name or e-mail in
 * plaintext in its history (read raw with the SDK and with `temporal workflow
 * show --output json`) nor in visibility, apart from the PartnerManager search
 * attribute (search attributes are not encrypted; docs/operations.md); a failed
 * attempt's message is encrypted too. The same partner without encryption, on
 * the same server, shows both, so the search is one that can fail. The API's
 * lists, report and timeline still decode the memos and payloads, and the real
 * Temporal CLI decodes the history through the API's codec endpoint. And
 * `npm start` with encryption points its embedded Web UI at that endpoint.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { createActivitiesFromConfig } from '../../activities';
import { createReportActivities } from '../../activities/reports';
import { accountActivitiesFor } from '../../client/accounts';
import { createApiServer } from '../../client/api';
import { dataConverter } from '../../client/encryption';
import { startOnboarding } from '../../client/onboardingClient';
import { createReportsProvider } from '../../client/reports';
import { programDigestReader } from '../../client/reports/digest';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { parseConfig, type Config } from '../../config/env';
import type { Playbook } from '../../workflows/playbook';
import { onboardingWorkflowId } from '../../workflows/messages';
import type { OnboardingState, PartnerProfile } from '../../workflows/types';
import { createOnboardingWorker } from '../../workers/createWorker';
import { devServerExecutable } from '../../workers/temporalBinaries';
import { freePort, startSmtpServer, type TestSmtpServer } from '../activities/fixtures/smtpServer';
import { eventually } from '../api/harness';
import { createDevEnv, uniq, workflowBundle } from '../helpers/temporal';
import { accountWorkflowId } from '../../workflows/accounts/messages';

type History = temporal.api.history.v1.History;

const execFileAsync = promisify(execFile);

const MANAGER_KEY = 'manager-key-0123456789abcdef';
const OPS_KEY = 'ops-key-0123456789abcdef';
const SYSTEM_KEY = 'system-key-0123456789abcdef';
/** Partner e-mails go out at once, whatever the hour of the test run. */
const ALWAYS_OPEN: Playbook = { ...DEFAULT_PLAYBOOK, businessHours: { weekdays: [1, 2, 3, 4, 5, 6, 7], startHour: 0, endHour: 24 } };

const run = uniq('enc');
function partner(kind: string): PartnerProfile {
  return {
    partnerId: `${run}-${kind}`,
    name: `Quillfeather ${kind} Holdings`,
    segment: 'core',
    role: 'sales',
    partnerManager: { name: 'Dana Ruiz', email: `dana.${run}.${kind}@vendor.example` },
    contacts: [{ role: 'sales', name: 'Lee Okafor', email: `lee.${run}.${kind}@quillfeather.example` }],
  };
}
const sealed = partner('sealed');
const plain = partner('plain');

let env: TestWorkflowEnvironment;
let smtp: TestSmtpServer;
let dataDir: string;
let config: Config;
let client: Client;
let api: FastifyInstance;
let apiUrl: string;
let plainTaskQueue: string;
const workers: { worker: Worker; running: Promise<void> }[] = [];

async function startWorker(workerConfig: Config, workerClient: Client): Promise<void> {
  const worker = await createOnboardingWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: workerConfig.temporal.taskQueue,
    activities: createActivitiesFromConfig(workerConfig, ALWAYS_OPEN.program),
    reportActivities: createReportActivities({ readDigest: programDigestReader(workerClient, ALWAYS_OPEN) }),
    accountActivities: accountActivitiesFor(workerClient, workerConfig.temporal.taskQueue, ALWAYS_OPEN),
    workflowBundle: await workflowBundle(),
    dataConverter: dataConverter(workerConfig),
    shutdownGraceTime: '1 second',
  });
  workers.push({ worker, running: worker.run() });
}

beforeAll(async () => {
  env = await createDevEnv();
  smtp = await startSmtpServer();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onboarding-enc-'));
  const base = { DATA_DIR: dataDir, LOG_LEVEL: 'error', SMTP_URL: smtp.url, SLACK_ESCALATION_CHANNEL: 'C0ESCALATION' };
  config = parseConfig({
    ...base,
    TEMPORAL_TASK_QUEUE: uniq('enc'),
    API_KEYS: `manager:${MANAGER_KEY},ops:${OPS_KEY},system:${SYSTEM_KEY}`,
    PAYLOAD_ENCRYPTION_KEYS: `e2e-current:${randomBytes(32).toString('base64')},e2e-previous:${randomBytes(32).toString('base64')}`,
  });
  client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter: dataConverter(config) });
  await startWorker(config, client);
  plainTaskQueue = uniq('plain');
  await startWorker(parseConfig({ ...base, TEMPORAL_TASK_QUEUE: plainTaskQueue }), env.client);
  api = await createApiServer({ client, config, playbook: ALWAYS_OPEN, reports: createReportsProvider(client), logger: { level: 'silent' } });
  await api.listen({ host: '127.0.0.1', port: 0 });
  apiUrl = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
}, 120_000);

afterAll(async () => {
  await api?.close();
  for (const { worker, running } of workers) {
    worker.shutdown();
    await running;
  }
  await smtp?.close();
  await env?.teardown();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

const authorized = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(`${apiUrl}${url}`, { headers: authorized(MANAGER_KEY) });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function history(workflowId: string): Promise<History> {
  return temporal.api.history.v1.History.create(await env.client.workflow.getHandle(workflowId).fetchHistory());
}

/**
 * The history as the Temporal CLI prints it (`--output json`), with extra flags
 * (e.g. a codec endpoint). Asynchronous: the codec endpoint it may call runs in this process.
 */
async function cliShow(workflowId: string, extra: string[] = []): Promise<string> {
  const exe = devServerExecutable();
  if (exe.type !== 'existing-path') throw new Error('the Temporal CLI is not installed (scripts/setup.sh)');
  const args = ['workflow', 'show', '--address', env.address, '--namespace', env.namespace ?? 'default', '-w', workflowId, '--output', 'json', ...extra];
  try {
    const { stdout } = await execFileAsync(exe.path, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const { code, stderr } = err as { code?: number; stderr?: string };
    throw new Error(`temporal workflow show failed (${code}): ${stderr}`);
  }
}

/**
 * Where `needle` appears in a JSON document: in a string value as is, or in a
 * string value read as base64 (how protobuf JSON carries payload bytes).
 * Subtrees under `skip` keys are left out.
 */
function findIn(json: unknown, needle: string, skip: string[] = [], at = '$'): string[] {
  if (typeof json === 'string') {
    const decoded = /^[A-Za-z0-9+/_-]+={0,2}$/.test(json) ? Buffer.from(json, 'base64').toString('latin1') : '';
    return json.includes(needle) || decoded.includes(needle) ? [at] : [];
  }
  if (Array.isArray(json)) return json.flatMap((v, i) => findIn(v, needle, skip, `${at}[${i}]`));
  if (json && typeof json === 'object') {
    return Object.entries(json).flatMap(([k, v]) => (skip.includes(k) ? [] : findIn(v, needle, skip, `${at}.${k}`)));
  }
  return [];
}

const piiOf = (p: PartnerProfile) => [p.name, p.contacts![0]!.email, p.contacts![0]!.name, p.partnerManager.email, p.partnerManager.name];

describe('payload encryption', () => {
  beforeAll(async () => {
    // The welcome e-mail's first attempt meets a temporary refusal, so the history holds a failure as well.
    smtp.rcptReplies.set(sealed.contacts![0]!.email, 451);
    const started = await fetch(`${apiUrl}/v1/partners`, { method: 'POST', headers: authorized(OPS_KEY), body: JSON.stringify(sealed) });
    expect(started.status).toBe(201);
    await startOnboarding(env.client, { taskQueue: plainTaskQueue, playbook: ALWAYS_OPEN }, plain);

    const workflowId = onboardingWorkflowId(sealed.partnerId);
    const retried = await eventually(
      async () => (await client.workflowService.describeWorkflowExecution({ namespace: env.namespace ?? 'default', execution: { workflowId } })).pendingActivities,
      (pending) => pending.some((a) => (a.attempt ?? 0) >= 2),
      60_000,
    );
    expect(retried.some((a) => (a.attempt ?? 0) >= 2)).toBe(true);
    smtp.rcptReplies.delete(sealed.contacts![0]!.email);
    const welcomed = (p: PartnerProfile) => smtp.messages.some((m) => m.envelope.to.includes(p.contacts![0]!.email));
    await eventually(async () => [welcomed(sealed), welcomed(plain)], (done) => done.every(Boolean), 60_000);
  }, 150_000);

  it('keeps names and e-mails out of the raw history; only the PartnerManager search attribute shows the manager', async () => {
    const raw = Buffer.from(temporal.api.history.v1.History.encode(await history(onboardingWorkflowId(sealed.partnerId))).finish()).toString('latin1');
    const json = JSON.parse(await cliShow(onboardingWorkflowId(sealed.partnerId))) as unknown;
    for (const secret of piiOf(sealed)) {
      expect({ secret, paths: findIn(json, secret, ['searchAttributes']) }).toEqual({ secret, paths: [] });
    }
    expect(findIn(json, sealed.partnerManager.email)).toEqual(
      expect.arrayContaining([expect.stringMatching(/searchAttributes\.indexedFields\.PartnerManager\.data$/)]),
    );
    // The raw protobuf bytes hold no name and no partner e-mail either.
    for (const secret of [sealed.name, sealed.contacts![0]!.email, sealed.contacts![0]!.name]) expect(raw).not.toContain(secret);

    // The control: the same journey without encryption shows them, in both views.
    const plainRaw = Buffer.from(temporal.api.history.v1.History.encode(await history(onboardingWorkflowId(plain.partnerId))).finish()).toString('latin1');
    const plainJson = JSON.parse(await cliShow(onboardingWorkflowId(plain.partnerId))) as unknown;
    for (const secret of [plain.name, plain.contacts![0]!.email]) {
      expect(plainRaw).toContain(secret);
      expect(findIn(plainJson, secret, ['searchAttributes']).length).toBeGreaterThan(0);
    }
  });

  it('encrypts payloads under the first key, and failure messages with them', async () => {
    const events = (await history(onboardingWorkflowId(sealed.partnerId))).events;
    const input = events[0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    expect(Buffer.from(input.metadata!.encoding!).toString()).toBe('binary/encrypted');
    expect(Buffer.from(input.metadata!['encryption-key-id']!).toString()).toBe('e2e-current');
    const memo = events[0]!.workflowExecutionStartedEventAttributes!.memo!.fields!;
    expect(Object.values(memo).map((p) => Buffer.from(p.metadata!.encoding!).toString())).toEqual(
      Object.keys(memo).map(() => 'binary/encrypted'),
    );
    // The retried e-mail: its first attempt's failure is in the ActivityTaskStarted event, message encoded.
    const failure = events.map((e) => e.activityTaskStartedEventAttributes?.lastFailure).find(Boolean);
    expect(failure?.message).toBe('Encoded failure');
    expect(Buffer.from(failure!.encodedAttributes!.metadata!.encoding!).toString()).toBe('binary/encrypted');
  });

  it('keeps visibility readable for the API: lists, the report and the timeline decode the memo and payloads', async () => {
    const page = await eventually(
      () => getJson<{ partners: { partnerId: string; name: string | null; manager: string | null }[] }>(`/v1/partners?manager=${encodeURIComponent(sealed.partnerManager.email)}`),
      (p) => p.partners.length === 1,
    );
    expect(page.partners[0]).toMatchObject({ partnerId: sealed.partnerId, name: sealed.name, manager: sealed.partnerManager.email });
    const report = await getJson<{ partners: number }>(`/v1/reports/onboarding?manager=${encodeURIComponent(sealed.partnerManager.email)}`);
    expect(report.partners).toBe(1);
    const timeline = await getJson<{ entries: { kind: string; to?: unknown; status?: string }[] }>(`/v1/partners/${sealed.partnerId}/timeline`);
    expect(timeline.entries).toContainEqual(expect.objectContaining({ kind: 'notification', status: 'sent' }));
    expect(JSON.stringify(timeline)).toContain(sealed.contacts![0]!.email);

    // Visibility as the server holds it: the memo is ciphertext.
    const listed = await client.workflowService.listWorkflowExecutions({
      namespace: env.namespace ?? 'default',
      query: `WorkflowId = '${onboardingWorkflowId(sealed.partnerId)}'`,
    });
    const rawList = Buffer.from(temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse.encode(listed).finish()).toString('latin1');
    expect(listed.executions).toHaveLength(1);
    expect(rawList).not.toContain(sealed.name);
  });

  it("keeps the partner, its manager, the customer and the CRM's owner out of the account registry's raw history", async () => {
    const domain = `${run}.quillcustomer.example`; // the account key is the registry's workflow id, like a partnerId
    const secrets = ['Marblewood Customer AG', 'Ottoline Secretowner', sealed.name, sealed.partnerManager.email, sealed.partnerManager.name];
    const events = [
      { eventId: 'enc-b101', type: 'training_completed', data: { module: 'business_101' } },
      { eventId: 'enc-reg', type: 'opportunity_registered', data: { opportunityId: 'enc-opp', account: secrets[0], domain, amount: 12_345 } },
    ];
    const sent = await fetch(`${apiUrl}/v1/partners/${sealed.partnerId}/events`, { method: 'POST', headers: authorized(SYSTEM_KEY), body: JSON.stringify(events) });
    expect(sent.status).toBe(202);
    await eventually(
      () => getJson<OnboardingState>(`/v1/partners/${sealed.partnerId}`),
      (s) => s.opportunities.some((o) => o.opportunityId === 'enc-opp' && o.accountCheck === 'held'),
      30_000,
    );
    // The CRM's event reaches the registry through the API's client: a conflict with the partner, who keeps the account.
    const crm = await fetch(`${apiUrl}/v1/accounts/events`, {
      method: 'POST',
      headers: authorized(SYSTEM_KEY),
      body: JSON.stringify({ eventId: `${run}-crm`, type: 'direct_ownership_claimed', data: { domain, owner: secrets[1] } }),
    });
    expect(crm.status).toBe(200);
    expect(((await crm.json()) as { conflicts: unknown[] }).conflicts).toHaveLength(1);
    // The API decodes it for a manager.
    const account = await getJson<{ holder: { name?: string } }>(`/v1/accounts/${domain}`);
    expect(account.holder.name).toBe(sealed.name);

    const registry = await history(accountWorkflowId(domain));
    const input = registry.events[0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    expect(Buffer.from(input.metadata!.encoding!).toString()).toBe('binary/encrypted');
    const updates = registry.events.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input).filter(Boolean);
    expect(updates.map((u) => u!.name)).toEqual(['claimAccount', 'recordDirectOwnership']);
    for (const u of updates) expect(Buffer.from(u!.args!.payloads![0]!.metadata!.encoding!).toString()).toBe('binary/encrypted');
    const raw = Buffer.from(temporal.api.history.v1.History.encode(registry).finish()).toString('latin1');
    const json = registry.toJSON();
    for (const secret of secrets) {
      expect(raw).not.toContain(secret);
      expect({ secret, paths: findIn(json, secret) }).toEqual({ secret, paths: [] });
    }
  });

  it('lets the Temporal CLI decode the history through the API codec endpoint, with a manager key', async () => {
    const workflowId = onboardingWorkflowId(sealed.partnerId);
    const decoded = await cliShow(workflowId, ['--codec-endpoint', `${apiUrl}/codec`, '--codec-auth', `Bearer ${MANAGER_KEY}`]);
    // The CLI prints decoded payloads as protobuf JSON too (data in base64, now of json/plain).
    for (const secret of [sealed.name, sealed.contacts![0]!.email]) expect(findIn(JSON.parse(decoded), secret).length).toBeGreaterThan(0);
    expect(decoded).not.toContain('binary/encrypted');
    expect(decoded).not.toContain(Buffer.from('binary/encrypted').toString('base64'));
    // An ops key is not enough: the codec answers 403 and the CLI (which retries it) gives up.
    await expect(cliShow(workflowId, ['--codec-endpoint', `${apiUrl}/codec`, '--codec-auth', `Bearer ${OPS_KEY}`])).rejects.toThrow(
      /temporal workflow show failed \(1\)/,
    );
  });
});

describe('npm start with PAYLOAD_ENCRYPTION_KEYS', () => {
  it("points the embedded Web UI at the API's codec endpoint and lets the UI's origin call it", async () => {
    const ports = { api: await freePort(), dev: await freePort(), ui: await freePort() };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onboarding-enc-start-'));
    // As `npm start` runs it (without npm and its setup step).
    const child = spawn(process.execPath, ['bin/start.js'], {
      cwd: path.resolve(__dirname, '../..'),
      env: {
        ...process.env,
        DATA_DIR: dir,
        HTTP_PORT: String(ports.api),
        TEMPORAL_DEV_PORT: String(ports.dev),
        TEMPORAL_UI_PORT: String(ports.ui),
        TEMPORAL_ADDRESS: '',
        API_KEYS: '',
        LOG_LEVEL: 'warn',
        PAYLOAD_ENCRYPTION_KEYS: `start-key:${randomBytes(32).toString('base64')}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const ui = `http://127.0.0.1:${ports.ui}`;
      const settings = await eventually(
        () => fetch(`${ui}/api/v1/settings`).then((r) => (r.ok ? (r.json() as Promise<{ Codec?: { Endpoint?: string } }>) : null), () => null),
        (value) => value !== null,
        90_000,
      );
      expect(settings?.Codec?.Endpoint).toBe(`http://127.0.0.1:${ports.api}/codec`);
      const preflight = await eventually(
        () =>
          fetch(`http://127.0.0.1:${ports.api}/codec/decode`, {
            method: 'OPTIONS',
            headers: { origin: ui, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
          }).catch(() => null),
        (res) => res !== null,
        60_000,
      );
      expect(preflight?.status).toBe(204);
      expect(preflight?.headers.get('access-control-allow-origin')).toBe(ui);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- output ---\n${output}`);
    } finally {
      child.kill('SIGINT');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
