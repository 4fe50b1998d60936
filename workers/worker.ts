/**
 * `npm run worker`: one onboarding worker against TEMPORAL_ADDRESS. Run several
 * to scale out; SIGINT/SIGTERM drain it (in-flight notifications get the grace time).
 */
import { Runtime } from '@temporalio/worker';
import { createActivitiesFromConfig } from '../activities';
import { loadConfigOrExit, type Config } from '../config/env';
import { connectNative } from '../client/connection';
import { createOnboardingWorker } from './createWorker';
import { createLogger } from './logger';

export async function runWorker(config: Config, address: string, signal: AbortSignal): Promise<void> {
  const log = createLogger('worker', config.logLevel);
  const connection = await connectNative(config, address);
  try {
    const worker = await createOnboardingWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: createActivitiesFromConfig(config),
    });
    signal.addEventListener('abort', () => worker.shutdown(), { once: true });
    log.info('worker running', { taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace });
    await worker.run();
    log.info('worker stopped');
  } finally {
    await connection.close();
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.temporal.address) {
    process.stderr.write('config error: TEMPORAL_ADDRESS: required for `npm run worker` (use `npm start` for the embedded dev server)\n');
    process.exit(2);
  }
  Runtime.install({ shutdownSignals: [] });
  const stop = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
  await runWorker(config, config.temporal.address, stop.signal);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`worker: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
