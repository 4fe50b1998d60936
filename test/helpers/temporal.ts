/**
 * Real Temporal servers for tests: the time-skipping test server and the CLI's
 * dev server, resolved like the product resolves them (workers/temporalBinaries).
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { SA_HEALTH, SA_MANAGER, SA_PHASE, SA_SEGMENT } from '../../workflows/messages';
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

const SEARCH_ATTRIBUTE_KEYS = [SA_PHASE, SA_SEGMENT, SA_MANAGER, SA_HEALTH];

/** The time-skipping server, with the contract's search attributes registered. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietLogs();
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: testServerExecutable() } });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTE_KEYS.map((k) => [k.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
  return env;
}

/** The CLI dev server (in memory), with the contract's search attributes registered. */
export async function createDevEnv(): Promise<TestWorkflowEnvironment> {
  quietLogs();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: devServerExecutable(),
      searchAttributes: SEARCH_ATTRIBUTE_KEYS,
      extraArgs: ['--log-level', 'error'],
    },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The production workflow bundle, built once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') });
  return bundle;
}

/** A random suffix so tests never share workflow ids or task queues. */
export function uniq(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}
