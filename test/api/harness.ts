/**
 * The real system for API tests: the Temporal dev server, a worker running the
 * production bundle with the real activities (files under a temp DATA_DIR), and
 * the fastify API listening on 127.0.0.1:0. One per test file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { createActivitiesFromConfig } from '../../activities';
import { createReportActivities } from '../../activities/reports';
import { programDigestReader } from '../../client/reports/digest';
import { createApiServer, type ApiServerOptions } from '../../client/api';
import { listDigestEntries } from '../../client/digests';
import { preferenceSourceFor } from '../../client/preferences';
import { parseConfig, type Config } from '../../config/env';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import type { PartnerProfile } from '../../workflows/types';
import { createOnboardingWorker } from '../../workers/createWorker';
import { accountActivitiesFor } from '../../client/accounts';
import { createDevEnv, uniq, workflowBundle } from '../helpers/temporal';

export const KEYS = {
  ops: 'ops-key-0123456789abcdef',
  system: 'system-key-0123456789abcdef',
  manager: 'manager-key-0123456789abcdef',
} as const;
export const WEBHOOK_SECRET = 'webhook-secret-0123456789';

export interface Api {
  app: FastifyInstance;
  url: string;
  config: Config;
}

export interface Harness {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  dataDir: string;
  /** The API with role keys and a webhook secret. */
  api: Api;
  /** Another API on the same Temporal (e.g. open, or another task queue). */
  startApi(env: Record<string, string>, extra?: Partial<ApiServerOptions>): Promise<Api>;
  close(): Promise<void>;
}

/**
 * `workerEnv`: more environment for the worker's activities (e.g. a local Slack);
 * `preferences`: the worker reads recipients' preferences from their workflows
 * (uncached), as the production worker does; else everyone gets everything.
 */
export async function startHarness(options: { workerEnv?: Record<string, string>; preferences?: boolean } = {}): Promise<Harness> {
  const env = await createDevEnv();
  const taskQueue = uniq('onboarding');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onboarding-api-'));
  // Slack messages without a DM target go to the escalation channel, written under DATA_DIR/slack.
  const baseEnv = {
    DATA_DIR: dataDir,
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'error',
    SLACK_ESCALATION_CHANNEL: 'C0ESCALATION',
  };

  const workerConfig = parseConfig({ ...baseEnv, ...options.workerEnv });
  const worker: Worker = await createOnboardingWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities: createActivitiesFromConfig(
      workerConfig,
      DEFAULT_PLAYBOOK.program,
      undefined,
      undefined,
      options.preferences ? preferenceSourceFor(env.client, workerConfig, 0) : undefined,
      () => listDigestEntries(env.client),
    ),
    reportActivities: createReportActivities({ readDigest: programDigestReader(env.client, DEFAULT_PLAYBOOK) }),
    accountActivities: accountActivitiesFor(env.client, taskQueue, DEFAULT_PLAYBOOK),
    workflowBundle: await workflowBundle(),
    shutdownGraceTime: '1 second',
  });
  const running = worker.run();

  const apis: Api[] = [];
  const startApi = async (vars: Record<string, string>, extra: Partial<ApiServerOptions> = {}): Promise<Api> => {
    const config = parseConfig({ ...baseEnv, ...vars });
    const app = await createApiServer({ client: env.client, config, playbook: DEFAULT_PLAYBOOK, logger: { level: 'silent' }, ...extra });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const api = { app, url: `http://127.0.0.1:${port}`, config };
    apis.push(api);
    return api;
  };
  const api = await startApi({
    API_KEYS: Object.entries(KEYS)
      .map(([role, key]) => `${role}:${key}`)
      .join(','),
    WEBHOOK_SECRET,
  });

  return {
    env,
    taskQueue,
    dataDir,
    api,
    startApi,
    async close() {
      await Promise.all(apis.map((a) => a.app.close()));
      worker.shutdown();
      await running;
      await env.teardown();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function profile(overrides: Partial<PartnerProfile> = {}): PartnerProfile {
  return {
    partnerId: uniq('partner'),
    name: 'Acme Cloud GmbH',
    segment: 'core',
    role: 'sales',
    partnerManager: { name: 'Dana Ruiz', email: 'dana@vendor.example' },
    contacts: [{ role: 'sales', name: 'Lee', email: 'lee@acme.example' }],
    ...overrides,
  };
}

export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A JSON request; `key` is a role's bearer key (or any string), `raw` sends the body as is. */
export async function call<T = Record<string, unknown>>(
  api: Api,
  method: string,
  urlPath: string,
  options: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const hasBody = options.body !== undefined || options.raw !== undefined;
  const res = await fetch(`${api.url}${urlPath}`, {
    method,
    headers: {
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...options.headers,
    },
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

/** Polls until `check` passes (visibility and workflow state are eventually consistent). */
export async function eventually<T>(fn: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}
