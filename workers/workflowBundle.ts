/**
 * The workflow bundle, built once ahead of time (the Docker image does it at
 * build time) instead of by each worker at start:
 *
 *   npm run build:bundle                # writes dist/workflow-bundle.js
 *   WORKFLOW_BUNDLE_PATH=dist/workflow-bundle.js npm run worker
 *
 * Without WORKFLOW_BUNDLE_PATH a worker bundles the workflows from source at start
 * (`npm start`, development). The replay tests use the same options, so what they
 * replay is what the image runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type Logger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../client/encryption';
import { createLogger } from './logger';
import { WORKFLOWS_PATH, workflowBundlerOptions } from './createWorker';

export function buildWorkflowBundle(logger?: Logger): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    // Inert unless a worker runs with payload encryption (client/encryption.ts).
    failureConverterPath: FAILURE_CONVERTER_PATH,
    ...workflowBundlerOptions(),
    ...(logger && { logger }),
  });
}

async function main(out: string | undefined): Promise<void> {
  const log = createLogger('bundle');
  if (!out) throw new Error('usage: tsx workers/workflowBundle.ts <output file>');
  const started = Date.now();
  const { code } = await buildWorkflowBundle();
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, code);
  log.info('workflow bundle written', { file: path.resolve(out), bytes: code.length, ms: Date.now() - started });
}

if (require.main === module) {
  main(process.argv[2]).catch((err: unknown) => {
    createLogger('bundle', 'error').error(`workflow bundle failed: ${(err as Error).message}`);
    process.exit(1);
  });
}
