/**
 * The skeleton of a one-partner recording on the time-skipping server: a worker
 * on its own task queue, `drive` starts and moves the partner and returns its
 * handle, and the history is written to
 * `histories/<name>-<playbook version>[-<--suffix>].json`. The partner is
 * terminated afterwards, so the server's clock is not held at its next timer.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { createTestWorker, createTimeSkippingEnv, uniq } from '../helpers/temporal';

export async function recordOne(
  name: string,
  drive: (env: TestWorkflowEnvironment, taskQueue: string) => Promise<{ handle: WorkflowHandle; summary: string }>,
): Promise<void> {
  const suffix = process.argv.find((a) => a.startsWith('--suffix='))?.slice('--suffix='.length);
  const env = await createTimeSkippingEnv();
  const taskQueue = uniq(`record-${name}`);
  const worker = await createTestWorker(env, taskQueue);
  try {
    await worker.runUntil(async () => {
      const { handle, summary } = await drive(env, taskQueue);
      const history = temporal.api.history.v1.History.create(await handle.fetchHistory());
      await handle.terminate('recorded');
      const file = path.join(__dirname, 'histories', `${name}-${DEFAULT_PLAYBOOK.version}${suffix ? `-${suffix}` : ''}.json`);
      fs.writeFileSync(file, historyToJSON(history) + '\n');
      console.log(`${file}: ${history.events.length} events; ${summary}`);
    });
  } finally {
    await env.teardown();
  }
}
