/**
 * Builds the onboarding worker. Used by `npm run worker`, `npm start` and the
 * tests, so all of them run the same workflow code and activities.
 */
import path from 'node:path';
import { NativeConnection, Worker, type BundleOptions, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import type { ReportActivities } from '../activities/reports';
import type { AccountActivities } from '../activities/accounts';
import type { WorkerTuning } from '../config/env';

export interface OnboardingWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  activities: Activities;
  /** For the weeklyDigest workflow, which every worker may be given to run. */
  reportActivities: ReportActivities;
  /** The partner workflow's account activity: `accountActivitiesFor(client, ...)` (client/accounts.ts). */
  accountActivities: AccountActivities;
  /** A prebuilt bundle (tests bundle once per file); otherwise bundled from source at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** How long in-flight activities may finish on shutdown before they are cancelled. */
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  /** The payload codec and failure converter of client/encryption.ts, when encryption is on. */
  dataConverter?: WorkerOptions['dataConverter'];
  /** Cache size and concurrency (WORKER_* variables); the SDK's defaults when absent. */
  tuning?: WorkerTuning;
}

export const WORKFLOWS_PATH = require.resolve('../workflows');
/** The module the worker preloads into its reusable V8 context (see workflowBundlerOptions). */
export const SHARED_WORKFLOW_MODULES = require.resolve('../workflows/shared');

/**
 * How the workflow code is bundled: every bundle of it (worker, tests,
 * benchmarks) uses these. `preloadModules` evaluates workflows/shared.ts and what
 * it imports (zod, the schemas, the domain, the default playbook) once per
 * worker, shared by every cached workflow instead of evaluated per workflow.
 */
export function workflowBundlerOptions(): Pick<BundleOptions, 'preloadModules' | 'webpackConfigHook'> {
  return { preloadModules: [SHARED_WORKFLOW_MODULES], webpackConfigHook: (config) => localBuiltIns(compileForNode(config)) };
}

type WebpackConfig = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];

/**
 * The SDK compiles workflow TypeScript for ES2017, so every object spread and
 * rest in the domain runs through swc's helper functions. The sandbox is Node's
 * V8, which runs ES2022 natively, and faster: the helpers were about 6% of the
 * workflow thread's time under load (bench/throughput.ts --profile).
 */
export function compileForNode(config: WebpackConfig): WebpackConfig {
  for (const rule of config.module?.rules ?? []) {
    const use = rule && typeof rule === 'object' ? (rule.use as { loader?: string; options?: { jsc?: { target?: string } } } | undefined) : undefined;
    if (use?.loader?.includes('swc-loader') && use.options?.jsc) use.options.jsc.target = 'es2022';
  }
  return config;
}

/** The loader `localBuiltIns` adds (plain JavaScript: webpack loads it with Node's own require). */
const BUILT_INS_LOADER = require.resolve('./builtInsLoader.js');

/**
 * The workflow code's own modules (workflows/**) bind the built-ins they name
 * (`Object`, `Array`, `Map`, `JSON`...) in their own scope (workers/builtInsLoader.js).
 * In the SDK's `vm` context every global name is looked up through Node's
 * interceptors on each use: the domain's CPU per event fell by about a third
 * with the bindings (`npx tsx bench/sandbox-cost.ts`, docs/operations.md).
 * `Date` and `Promise` stay the SDK's. zod and the SDK's own modules are left
 * as they are: zod gained nothing measurable.
 */
export function localBuiltIns(config: WebpackConfig): WebpackConfig {
  config.module ??= {};
  config.module.rules ??= [];
  config.module.rules.push({
    test: /\.ts$/,
    include: path.dirname(WORKFLOWS_PATH),
    enforce: 'pre',
    use: [{ loader: BUILT_INS_LOADER }],
  });
  return config;
}

export function createOnboardingWorker(opts: OnboardingWorkerOptions): Promise<Worker> {
  const { tuning } = opts;
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    activities: { ...opts.activities, ...opts.reportActivities, ...opts.accountActivities },
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: workflowBundlerOptions() }),
    ...(opts.dataConverter && { dataConverter: opts.dataConverter }),
    ...(tuning && {
      maxCachedWorkflows: tuning.maxCachedWorkflows,
      maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTasks,
      maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivities,
    }),
    // Notifications are short; give them time to finish so a restart does not cut one in half.
    shutdownGraceTime: opts.shutdownGraceTime ?? '10 seconds',
  });
}
