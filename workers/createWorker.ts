/**
 * Builds the onboarding worker. Used by `npm run worker`, `npm start` and the
 * tests, so all of them run the same workflow code and activities.
 */
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
  return { preloadModules: [SHARED_WORKFLOW_MODULES], webpackConfigHook: compileForNode };
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
