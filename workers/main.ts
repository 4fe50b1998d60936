/**
 * `npm start`: the whole system on one machine. The embedded Temporal dev server
 * (unless TEMPORAL_ADDRESS is set), a worker and the HTTP API. SIGINT/SIGTERM stop
 * the API, then the worker, then the server; running workflows persist in
 * DATA_DIR/temporal.sqlite and carry on at the next start.
 */
import { Runtime } from '@temporalio/worker';
import { createApiServer } from '../client/api';
import { connectClient } from '../client/connection';
import { playbookHash, publishCurrentPlaybook } from '../client/playbooks';
import { ReportProjection } from '../client/reports/projection';
import { projectionStoreFor } from '../client/reports/projectionStore';
import { milestoneTitles } from '../client/reports/digest';
import { loadConfigOrExit } from '../config/env';
import { loadPlaybookOrExit } from '../config/loadPlaybook';
import { startDevServer, type DevServer } from './devServer';
import { createLogger } from './logger';
import { runtimeOptions } from './runtime';
import { MissingBinaryError } from './temporalBinaries';
import { runWorker } from './worker';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const playbook = loadPlaybookOrExit(config.playbookPath);
  const log = createLogger('main', config.logLevel);
  Runtime.install(runtimeOptions(config));

  // What is running, stopped in reverse order on shutdown or on a failed start:
  // the API first, then the worker, then the server.
  const running: { name: string; stop: () => Promise<unknown> }[] = [];
  const stopAll = async () => {
    for (const { name, stop } of running.splice(0).reverse()) {
      await stop().catch((err: unknown) => log.warn(`stopping ${name} failed`, { error: (err as Error).message }));
    }
  };

  let uiUrl: string | undefined;
  const worker = new AbortController();
  let workerRun: Promise<void> | undefined;
  try {
    let address = config.temporal.address;
    if (!address) {
      log.info('starting the embedded Temporal dev server', { dataDir: config.dataDir });
      const devServer: DevServer = await startDevServer(config, (msg) => log.warn(msg));
      running.push({ name: 'Temporal dev server', stop: () => devServer.stop() });
      ({ address, uiUrl } = devServer);
      log.info('Temporal dev server ready', { address, ui: uiUrl, db: devServer.dbFile });
    }
    workerRun = runWorker(config, playbook, address, worker.signal);
    workerRun.catch(() => undefined); // handled below, once everything is up
    running.push({ name: 'worker', stop: () => (worker.abort(), workerRun!) });
    const client = await connectClient(config, address);
    running.push({ name: 'Temporal client', stop: () => client.connection.close() });
    const hash = playbookHash(playbook);
    const published = await publishCurrentPlaybook(client, { taskQueue: config.temporal.taskQueue, currentHash: hash }, playbook);
    log.info(published.created ? 'playbook published' : 'playbook already published', { version: published.version, hash });
    // The report's projection: every partner's summary, synced from visibility, kept between
    // runs in PostgreSQL (REPORT_PROJECTION_DATABASE_URL) or under DATA_DIR.
    const store = projectionStoreFor(config, (err) => log.warn('report projection: database connection lost', { error: err.message }));
    const projection = new ReportProjection(client, { store, titleOf: milestoneTitles(playbook), log: (m, f) => log.info(m, f) }).start();
    running.push({ name: 'report projection', stop: () => projection.stop() });
    const api = await createApiServer({ client, config, playbook, reports: projection.provider() });
    await api.listen({ host: config.http.host, port: config.http.port });
    running.push({ name: 'API', stop: () => api.close() });
  } catch (err) {
    await stopAll();
    throw err;
  }
  log.info('ready', { api: `http://${config.http.host}:${config.http.port}`, temporalUi: uiUrl });

  let stopping = false;
  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { reason });
    await stopAll();
    log.info('stopped');
    process.exit(code);
  };
  // `on`, not `once`: Ctrl-C reaches this process twice (from the terminal, and passed on by npm),
  // and a second signal with no listener left would kill it mid-shutdown.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void shutdown(sig, 0));
  workerRun.catch((err: unknown) => {
    log.error('worker failed', { error: (err as Error).message });
    void shutdown('worker failure', 1);
  });
}

main().catch((err: unknown) => {
  // A JSON line like every other (config errors, before any of this, stay plain lines).
  const msg = err instanceof MissingBinaryError ? err.message : `start failed: ${(err as Error).message}`;
  createLogger('main', 'error').error(msg);
  process.exit(1);
});
