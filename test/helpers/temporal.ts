/**
 * Real Temporal servers for tests: the time-skipping test server and the CLI's
 * dev server, resolved like the product resolves them (workers/temporalBinaries).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment, type ClientOptionsForTestEnv } from '@temporalio/testing';
import { DefaultLogger, Runtime, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/messages';
import { createActivitiesFromConfig } from '../../activities';
import { createReportActivities } from '../../activities/reports';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { programDigestReader } from '../../client/reports/digest';
import { preferenceSourceFor } from '../../client/preferences';
import { accountActivitiesFor } from '../../client/accounts';
import { listDigestEntries } from '../../client/digests';
import { parseConfig, type Config } from '../../config/env';
import { createOnboardingWorker, type OnboardingWorkerOptions } from '../../workers/createWorker';
import { buildWorkflowBundle } from '../../workers/workflowBundle';
import { devServerExecutable, testServerExecutable } from '../../workers/temporalBinaries';

let runtimeInstalled = false;
/** Quiet SDK logs: warnings and errors only. Call once per test file, before any worker. */
export function quietLogs(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed by another helper in this file
  }
}


/**
 * The time-skipping server, with the contract's search attributes registered.
 * `client`: e.g. the data converter of payload encryption for `env.client`.
 */
export async function createTimeSkippingEnv(client: ClientOptionsForTestEnv = {}): Promise<TestWorkflowEnvironment> {
  quietLogs();
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: testServerExecutable() }, client });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTE_KEYS.map((k) => [
        k.name,
        k.type === 'DATETIME'
          ? temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME
          : temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      ]),
    ),
  });
  return env;
}

/** The CLI dev server (in memory), with the contract's search attributes registered. */
export async function createDevEnv(client: ClientOptionsForTestEnv = {}): Promise<TestWorkflowEnvironment> {
  quietLogs();
  return TestWorkflowEnvironment.createLocal({
    client,
    server: {
      executable: devServerExecutable(),
      searchAttributes: [...SEARCH_ATTRIBUTE_KEYS],
      extraArgs: ['--log-level', 'error'],
    },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The production workflow bundle (the image's options: workers/workflowBundle.ts), built once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= buildWorkflowBundle(new DefaultLogger('WARN'));
  return bundle;
}

/** A random suffix so tests never share workflow ids or task queues. */
export function uniq(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'onboarding-'));
}

/**
 * The production worker on `env`: the bundled workflows and the real activities,
 * built from `config` (by default: no SMTP or Slack, so files in a temp DATA_DIR).
 */
export async function createTestWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  config: Config = parseConfig({ DATA_DIR: tempDataDir() }),
  options: Pick<OnboardingWorkerOptions, 'shutdownGraceTime' | 'dataConverter'> = {},
): Promise<Worker> {
  return createOnboardingWorker({
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue,
    activities: createActivitiesFromConfig(
      config,
      DEFAULT_PLAYBOOK.program,
      undefined,
      undefined,
      preferenceSourceFor(env.client, config, 0),
      () => listDigestEntries(env.client),
    ),
    reportActivities: createReportActivities({ readDigest: programDigestReader(env.client, DEFAULT_PLAYBOOK) }),
    accountActivities: accountActivitiesFor(env.client, taskQueue, DEFAULT_PLAYBOOK),
    workflowBundle: await workflowBundle(),
    ...options,
  });
}

/**
 * For a test file: a time-skipping server of its own and the production worker
 * on it, running from beforeAll to afterAll. Read `env` inside tests only.
 */
export function timeSkippingWorkerPerFile(prefix: string): { env: TestWorkflowEnvironment; taskQueue: string } {
  const ctx = { taskQueue: uniq(prefix) } as { env: TestWorkflowEnvironment; taskQueue: string };
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  beforeAll(async () => {
    ctx.env = await createTimeSkippingEnv();
    worker = await createTestWorker(ctx.env, ctx.taskQueue);
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await ctx.env?.teardown();
  });
  return ctx;
}
