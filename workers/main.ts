/**
 * `npm start`: the whole system on one machine. The embedded Temporal dev server
 * (unless TEMPORAL_ADDRESS is set), a worker and the HTTP API. SIGINT/SIGTERM stop
 * the API, then the worker, then the server; running workflows persist in
 * DATA_DIR/temporal.sqlite and carry on at the next start.
 */
import { Runtime } from '@temporalio/worker';
import { createApiServer } from '../client/api';
import { connectClient } from '../client/connection';
import { createReportsProvider } from '../client/reports';
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

  let devServer: DevServer | undefined;
  let address = config.temporal.address;
  if (!address) {
    log.info('starting the embedded Temporal dev server', { dataDir: config.dataDir });
    devServer = await startDevServer(config, (msg) => log.warn(msg));
    address = devServer.address;
    log.info('Temporal dev server ready', { address, ui: devServer.uiUrl, db: devServer.dbFile });
  }

  const stopWorker = new AbortController();
  const worker = runWorker(config, address, stopWorker.signal);
  const client = await connectClient(config, address);
  const api = await createApiServer({ client, config, playbook, reports: createReportsProvider(client) });
  await api.listen({ host: config.http.host, port: config.http.port });
  log.info('ready', { api: `http://${config.http.host}:${config.http.port}`, temporalUi: devServer?.uiUrl });

  let stopping = false;
  const shutdown = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal: sig });
    await api.close();
    stopWorker.abort();
    await worker.catch(() => undefined);
    await client.connection.close();
    await devServer?.stop();
    log.info('stopped');
    process.exit(0);
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void shutdown(sig));
  worker.catch((err: unknown) => {
    log.error('worker failed', { error: (err as Error).message });
    void shutdown('worker-failure');
  });
}

main().catch((err: unknown) => {
  const msg = err instanceof MissingBinaryError ? err.message : `start failed: ${(err as Error).message}`;
  process.stderr.write(`${msg}\n`);
  process.exit(1);
});
