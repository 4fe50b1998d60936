/**
 * `npm run worker`: one onboarding worker against TEMPORAL_ADDRESS. Run several
 * to scale out; SIGINT/SIGTERM drain it (in-flight notifications get the grace time).
 * At start each worker creates or updates the weekly digest and the hourly
 * manager digest schedules (`npm start` runs its worker through `runWorker` too).
 */
import fs from 'node:fs';
import { Client } from '@temporalio/client';
import { Runtime, type NativeConnection } from '@temporalio/worker';
import { createActivitiesFromConfig, sentLogFromConfig } from '../activities';
import { SENT_LOG_RETENTION_MS, type SentLog } from '../activities/sentLog';
import { createReportActivities } from '../activities/reports';
import { loadConfigOrExit, type Config } from '../config/env';
import { loadPlaybookOrExit, placeholderLinks } from '../config/loadPlaybook';
import { programDigestReader } from '../client/reports/digest';
import { preferenceSourceFor } from '../client/preferences';
import { accountActivitiesFor } from '../client/accounts';
import type { Playbook } from '../workflows/playbook';
import { connectNative } from '../client/connection';
import { dataConverter } from '../client/encryption';
import { listDigestEntries } from '../client/digests';
import { createOnboardingWorker } from './createWorker';
import { ensureDigestSchedule, ensureManagerDigestSchedule } from './digestSchedule';
import { createLogger, type Logger } from './logger';
import { runtimeOptions } from './runtime';
import { missingSearchAttributes, missingSearchAttributesMessage } from './searchAttributes';

export async function runWorker(config: Config, playbook: Playbook, address: string, signal: AbortSignal): Promise<void> {
  const log = createLogger('worker', config.logLevel);
  if (config.workflowBundlePath && !fs.existsSync(config.workflowBundlePath)) {
    throw new Error(`WORKFLOW_BUNDLE_PATH: ${config.workflowBundlePath} does not exist (build it with \`npm run build:bundle\`, or unset it to bundle from source)`);
  }
  const connection = await connectNative(config, address);
  const sentLog = sentLogFromConfig(config, (err) => log.warn('sent-log connection lost; reconnecting on next use', { error: err.message }));
  const pruning = prunePeriodically(sentLog, log);
  try {
    await checkSearchAttributes(connection, config.temporal.namespace, log);
    // With PAYLOAD_ENCRYPTION_KEYS: the same codec for this client (schedule arguments, report memos) and the worker.
    const converter = dataConverter(config);
    const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: converter });
    const worker = await createOnboardingWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: createActivitiesFromConfig(config, playbook.program, undefined, sentLog, preferenceSourceFor(client, config), () =>
        listDigestEntries(client),
      ),
      reportActivities: createReportActivities({ readDigest: programDigestReader(client, playbook) }),
      dataConverter: converter,
      ...(config.workflowBundlePath && { workflowBundle: { codePath: config.workflowBundlePath } }),
      accountActivities: accountActivitiesFor(client, config.temporal.taskQueue, playbook),
      tuning: config.worker,
    });
    // Alongside polling: the schedule is not worth a delayed start.
    void scheduleDigest(client, config, log);
    const run = worker.run();
    // Asked to stop while the worker was still being built: stop it now.
    if (signal.aborted) worker.shutdown();
    else signal.addEventListener('abort', () => worker.shutdown(), { once: true });
    log.info('worker running', {
      taskQueue: config.temporal.taskQueue,
      namespace: config.temporal.namespace,
      playbook: playbook.version,
      workflows: config.workflowBundlePath ? `bundle ${config.workflowBundlePath}` : 'bundled from source',
      payloadEncryption: converter ? `on, encrypting with key "${config.encryption.keys[0]!.id}"` : 'off',
      ...config.worker,
    });
    if (!config.preferences.secrets.length) {
      log.warn('PREFERENCES_SECRET is not set: e-mails go out without an unsubscribe link (preferences still apply, set through the API or the CLI)');
    }
    const placeholders = placeholderLinks(playbook);
    if (placeholders.length) {
      log.warn('the playbook program still links to example.com: partners would get placeholder links; copy the playbook, set your links and PLAYBOOK_PATH', {
        links: placeholders.length,
      });
    }
    await run;
    log.info('worker stopped');
  } finally {
    clearInterval(pruning);
    await sentLog.close().catch(() => undefined);
    await connection.close();
  }
}

/** At start and then hourly: forget sent-log entries past the retry window. Failures are logged, never fatal. */
function prunePeriodically(sentLog: SentLog, log: Logger): NodeJS.Timeout {
  const prune = () => {
    sentLog.prune(new Date(Date.now() - SENT_LOG_RETENTION_MS)).then(
      (removed) => removed && log.info('sent-log pruned', { removed }),
      (err: unknown) => log.warn('sent-log prune failed; next try in an hour', { error: (err as Error).message }),
    );
  };
  prune();
  const timer = setInterval(prune, 3_600_000);
  timer.unref();
  return timer;
}

/** Missing search attributes stop the worker; a namespace that does not let us list them is only logged. */
async function checkSearchAttributes(connection: NativeConnection, namespace: string, log: Logger): Promise<void> {
  let missing: string[];
  try {
    missing = await missingSearchAttributes(connection, namespace);
  } catch (err) {
    log.warn('could not list the namespace search attributes; not checked', { error: (err as Error).message });
    return;
  }
  if (missing.length) throw new Error(missingSearchAttributesMessage(namespace, missing));
}

/** A schedule that cannot be written is logged, not fatal: onboardings do not depend on it. */
async function scheduleDigest(client: Client, config: Config, log: Logger): Promise<void> {
  const options = { taskQueue: config.temporal.taskQueue, cron: config.digest.cron, programLeadEmail: config.email.programLead };
  try {
    const outcome = await ensureDigestSchedule(client, options);
    log.info(`weekly digest schedule ${outcome}`, { cron: options.cron, programLead: Boolean(options.programLeadEmail) });
  } catch (err) {
    log.error('weekly digest schedule not written; onboardings run on without it', { error: (err as Error).message });
  }
  try {
    const outcome = await ensureManagerDigestSchedule(client, { taskQueue: config.temporal.taskQueue, localHour: config.digest.managerHour });
    log.info(`manager digest schedule ${outcome}`, { localHour: config.digest.managerHour });
  } catch (err) {
    log.error('manager digest schedule not written; onboardings run on without it', { error: (err as Error).message });
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.temporal.address) {
    process.stderr.write('config error: TEMPORAL_ADDRESS: required for `npm run worker` (use `npm start` for the embedded dev server)\n');
    process.exit(2);
  }
  const playbook = loadPlaybookOrExit(config.playbookPath);
  Runtime.install(runtimeOptions(config));
  const stop = new AbortController();
  // `on`, not `once`: a repeated signal (terminal and npm both pass Ctrl-C on) must not kill the draining worker.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => stop.abort());
  await runWorker(config, playbook, config.temporal.address, stop.signal);
}

/** `npm run worker` (bin/worker.js), or `tsx workers/worker.ts`. */
export function cli(): void {
  main().catch((err: unknown) => {
    createLogger('worker', 'error').error(`worker failed: ${(err as Error).message}`);
    process.exit(1);
  });
}

if (require.main === module) cli();
